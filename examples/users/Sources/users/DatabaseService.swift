import NozzleFastCGI
import ServiceLifecycle

/// The PostgreSQL pool as a service of the app (`app.services`): Nozzle shuts it down gracefully
/// once the worker's last request (and its `res.after` work) has finished, on SIGTERM or a reload,
/// so no query loses its connection midway. `onStart` opens the database before the process
/// serves, so that a bad URL or password stops the app at once.
struct DatabaseService: Service {
    func run() async throws {
        try? await gracefulShutdown()
        guard let postgres = Database.postgres else { return }
        await postgres.close()
        ProcessLog.logger(label: "postgres").info("closed the pool: the worker's last request has finished")
    }
}

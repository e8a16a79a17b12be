import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/version`: which executable file serves this process (its inode) and the process id,
/// so a test can see a reload switch to a new binary.
enum Version: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        var info = stat()
        stat("/proc/self/exe", &info)
        res.json(["inode": .int(Int(info.st_ino)), "pid": .int(Int(getpid()))])
    }
}

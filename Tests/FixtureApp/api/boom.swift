import Nozzle

struct Explosion: Error {}

/// `GET /api/boom`: the handler throws.
enum Boom: APIRoute {
    static func GET(_ req: Request, _ res: Response) async throws {
        throw Explosion()
    }
}

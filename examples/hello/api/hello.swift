import Nozzle

/// `GET /api/hello`
enum Hello: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        res.json(["message": "Hello, World!"])
    }
}

import Nozzle

/// `GET /api/hello`: the seed's first API route.
enum Hello: APIRoute {
    static func GET(_ req: Request, _ res: Response) {
        res.status(200).json(["name": "John Doe"])
    }
}

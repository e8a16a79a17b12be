import Nozzle

/// `POST /api/users`: parses the JSON body and echoes it back with 201.
enum Users: APIRoute {
    static func POST(_ req: Request, _ res: Response) {
        res.status(201).json(["received": req.body.json ?? .null])
    }
}

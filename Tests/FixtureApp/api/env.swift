import Nozzle

/// `ANY /api/env`: what the host made of the request.
enum Env: APIRoute {
    static func handler(_ req: Request, _ res: Response) {
        var headers = JSONObject()
        for (name, value) in req.headers { headers[name] = .string(value) }
        res.setHeader("Set-Cookie", "a=1").appendHeader("Set-Cookie", "b=2")
        res.json([
            "method": .string(req.method),
            "path": .string(req.path),
            "url": .string(req.url),
            "query": req.query.json,
            "headers": .object(headers),
            "remoteAddress": req.remoteAddress.map(JSON.string) ?? .null,
            "serverProtocol": req.serverProtocol.map(JSON.string) ?? .null,
            "bodyBytes": .int(req.rawBody.count),
            "id": .string(req.id),
        ])
    }
}

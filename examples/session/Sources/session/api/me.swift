import Nozzle

/// `GET /api/me`: who is logged in, from the session cookie; 401 without a valid session.
enum Me: APIRoute {
    static let config = RouteConfig(schemas: [.GET: OperationSchema(status: 200).answering(401, "Not logged in")])

    static func GET(_ req: Request, _ res: Response) throws {
        guard let session = try SessionCookie.read(req), let name = session["name"] else {
            throw HTTPError(401, "Not logged in")
        }
        res.setHeader("Cache-Control", "no-store")
        res.json(["user": ["name": name, "displayName": session["displayName"] ?? name]])
    }
}

import Nozzle

/// `POST /api/logout`: ends the session. A form post gets 303 to `/`, JSON `{"loggedOut": true}`,
/// and htmx `HX-Refresh: true` so the whole page shows the logged-out state.
enum Logout: APIRoute {
    static let config = RouteConfig(schemas: [.POST: OperationSchema(status: 200).answering(303, "A form post: to `/`")])

    static func POST(_ req: Request, _ res: Response) {
        SessionCookie.clear(res, for: req)
        if req.isHTMX {
            res.htmx.refresh()
            res.end()
        } else {
            res.negotiatedRedirect(req, to: "/", json: ["loggedOut": true])
        }
    }
}

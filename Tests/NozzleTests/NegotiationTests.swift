import Nozzle
import NozzleTesting
import Testing

struct NegotiationTests {
    func client(_ handler: @escaping Handler) -> TestClient {
        TestClient(app: App(routes: RouteTable([Route("/t", handlers: ["*": handler])])))
    }

    func accepted(_ accept: String?, _ types: [String]) async -> String {
        let response = await client { req, res in res.send(req.accepts(types) ?? "none") }
            .request("GET", "/t", headers: accept.map { [("Accept", $0)] } ?? [])
        return response.text
    }

    @Test func acceptsPicksTheHighestQualityThenTheFirstOffered() async {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        #expect(await accepted(browser, ["json", "html"]) == "html")
        #expect(await accepted("application/json", ["json", "html"]) == "json")
        #expect(await accepted("*/*", ["json", "html"]) == "json")
        #expect(await accepted("*/*", ["html", "json"]) == "html")
        #expect(await accepted(nil, ["html", "json"]) == "html")
        #expect(await accepted("text/*;q=0.5, application/json;q=0.4", ["json", "html"]) == "html")
        #expect(await accepted("image/png", ["json", "html"]) == "none")
        #expect(await accepted("application/json;q=0, */*", ["json", "html"]) == "html")
    }

    @Test func formPostFromABrowserIsRedirectedWith303() async {
        let response = await client { req, res in
            res.negotiatedRedirect(req, to: "/?success=true", json: ["message": "registered"])
        }.request("POST", "/t", headers: [
            ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ], body: Array("name=Ada".utf8))
        #expect(response.status == 303)
        #expect(response.headers["Location"] == "/?success=true")
    }

    @Test func jsonClientGetsTheJSON() async {
        let response = await client { req, res in
            res.negotiatedRedirect(req, to: "/", json: ["message": "registered"], status: 201)
        }.request("POST", "/t", headers: [("Accept", "application/json"), ("Content-Type", "application/json")], body: Array("{}".utf8))
        #expect(response.status == 201)
        #expect(response.headers["Location"] == nil)
        #expect(response.text == #"{"message":"registered"}"#)
    }

    @Test func htmxHeadersAreSetAndChained() async {
        let response = await client { req, res in
            #expect(req.isHTMX)
            res.htmx.redirect("/blog/hello").pushURL("/blog").retarget("#errors").reswap("outerHTML").refresh()
            res.htmx.trigger(["showMessage": ["level": "success", "text": "Post created!"]])
            res.send("<p>ok</p>")
        }.request("POST", "/t", headers: [("HX-Request", "true")])
        #expect(response.headers["HX-Redirect"] == "/blog/hello")
        #expect(response.headers["HX-Push-Url"] == "/blog")
        #expect(response.headers["HX-Retarget"] == "#errors")
        #expect(response.headers["HX-Reswap"] == "outerHTML")
        #expect(response.headers["HX-Refresh"] == "true")
        #expect(response.headers["HX-Trigger"] == #"{"showMessage":{"level":"success","text":"Post created!"}}"#)
        let named = await client { req, res in
            #expect(!req.isHTMX)
            res.htmx.trigger("postCreated")
            res.end()
        }.request("POST", "/t")
        #expect(named.headers["HX-Trigger"] == "postCreated")
    }
}

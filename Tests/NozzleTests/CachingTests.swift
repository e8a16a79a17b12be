import Nozzle
import NozzleTesting
import Testing

/// ETags and 304, as Express's `res.send` and `req.fresh` do them; expected tags are the ones
/// Express's own tests expect.
struct CachingTests {
    func client(etag: ETagMode = .weak, _ handler: @escaping Handler) -> TestClient {
        var app = App(routes: RouteTable([Route("/t", handlers: ["*": handler])]))
        app.etag = etag
        return TestClient(app: app)
    }

    @Test(arguments: [
        (String(repeating: "-", count: 999), #"W/"3e7-qPnkJ3CVdVhFJQvUBfF10TmVA7g""#),
        ("hey", #"W/"3-f1UKn0xEFzo3Zk2TjxNV8PkqR6c""#),
        ("", #"W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk""#),
        // Lengths on each side of SHA-1's padding edges (one block or two for the last bytes);
        // tags from Python's hashlib.
        (String(repeating: "a", count: 55), #"W/"37-wci73CJ5bijA4VFj0giZtlYh1lo""#),
        (String(repeating: "a", count: 56), #"W/"38-wtszD2CDhUyZ1LW/tujynyAb5pk""#),
        (String(repeating: "a", count: 63), #"W/"3f-A/CfWxWKeoza2SC93Cm4HBilUfU""#),
        (String(repeating: "a", count: 64), #"W/"40-AJi6gktcFkJ716ESKlpEKiXsZE0""#),
        (String(repeating: "a", count: 119), #"W/"77-7pcQZaqgF+BjKoymx3uzv4sd/FY""#),
        (String(repeating: "a", count: 120), #"W/"78-80wUiDhTRqVXCboFbd0IKA3UxtY""#),
    ])
    func sendSetsExpresssWeakETag(body: String, etag: String) async {
        let response = await client { _, res in res.send(body) }.request("GET", "/t")
        #expect(response.headers["ETag"] == etag)
        #expect(response.text == body)
    }

    @Test func jsonAndBytesAndAnyMethodGetOneToo() async {
        let json = await client { _, res in res.json(["message": "Hello, World!"]) }.request("POST", "/t")
        #expect(json.headers["ETag"] == #"W/"1b-9u68i8s9Wl4qBrhqdi8s7jmwKho""#)
        let bytes = await client { _, res in res.send(Array("hey".utf8)) }.request("DELETE", "/t")
        #expect(bytes.headers["ETag"] == #"W/"3-f1UKn0xEFzo3Zk2TjxNV8PkqR6c""#)
        // send(nil) sends an empty body, tagged, with no type, as res.send(null) does.
        let null = await client { _, res in res.send(nil) }.request("GET", "/t")
        #expect(null.headers["ETag"] == #"W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk""#)
        #expect(null.headers["Content-Type"] == nil)
        #expect(null.headers["Content-Length"] == "0")
    }

    @Test func noETagWithoutABodyForAStreamOrOnA204() async {
        #expect(await client { _, res in res.send() }.request("GET", "/t").headers["ETag"] == nil)
        #expect(await client { _, res in res.end() }.request("GET", "/t").headers["ETag"] == nil)
        let streamed = await client { _, res in
            res.write("a")
            res.end()
        }.request("GET", "/t")
        #expect(streamed.headers["ETag"] == nil)
        let noContent = await client { _, res in res.status(204).send("x") }.request("GET", "/t")
        #expect(noContent.status == 204)
        #expect(noContent.headers["ETag"] == nil)
        #expect(noContent.body.isEmpty)
        #expect(noContent.headers["Content-Type"] == nil)
        #expect(noContent.headers["Content-Length"] == nil)
    }

    @Test func aHandlersOwnETagIsKept() async {
        let response = await client { _, res in res.setHeader("ETag", #""v1""#).send("hey") }.request("GET", "/t")
        #expect(response.headers["ETag"] == #""v1""#)
    }

    @Test func theAppCanTurnETagsOffOrMakeThemStrong() async {
        #expect(await client(etag: .off) { _, res in res.send("hey") }.request("GET", "/t").headers["ETag"] == nil)
        #expect(await client(etag: .strong) { _, res in res.send("hey") }.request("GET", "/t").headers["ETag"] == #""3-f1UKn0xEFzo3Zk2TjxNV8PkqR6c""#)
    }

    @Test(arguments: [
        (#"W/"3-f1UKn0xEFzo3Zk2TjxNV8PkqR6c""#, 304),
        (#""3-f1UKn0xEFzo3Zk2TjxNV8PkqR6c""#, 304),  // weak comparison
        (#""other", W/"3-f1UKn0xEFzo3Zk2TjxNV8PkqR6c""#, 304),  // a list
        ("*", 304),
        (#""other""#, 200),
    ])
    func ifNoneMatchGives304(ifNoneMatch: String, status: Int) async {
        let response = await client { _, res in res.send("hey") }.request("GET", "/t", headers: [("If-None-Match", ifNoneMatch)])
        #expect(response.status == status)
        if status == 304 {
            #expect(response.body.isEmpty)
            #expect(response.headers["Content-Type"] == nil)
            #expect(response.headers["Content-Length"] == nil)
            #expect(response.headers["ETag"] == #"W/"3-f1UKn0xEFzo3Zk2TjxNV8PkqR6c""#)
        } else {
            #expect(response.text == "hey")
        }
    }

    @Test func freshnessIsOnlyForGetAndHeadAnswered2xx() async {
        let tag = #"W/"3-f1UKn0xEFzo3Zk2TjxNV8PkqR6c""#
        let post = await client { _, res in res.send("hey") }.request("POST", "/t", headers: [("If-None-Match", tag)])
        #expect(post.status == 200)
        let head = await client { _, res in res.send("hey") }.request("HEAD", "/t", headers: [("If-None-Match", tag)])
        #expect(head.status == 304)
        let notFound = await client { _, res in res.status(404).send("hey") }.request("GET", "/t", headers: [("If-None-Match", tag)])
        #expect(notFound.status == 404)
        #expect(notFound.text == "hey")
        let reload = await client { _, res in res.send("hey") }.request("GET", "/t", headers: [("If-None-Match", tag), ("Cache-Control", "no-cache")])
        #expect(reload.status == 200)
    }

    @Test func ifModifiedSinceAgainstTheHandlersLastModified() async {
        let page = client(etag: .off) { _, res in res.setHeader("Last-Modified", "Sat, 21 Nov 2026 10:00:00 GMT").send("hey") }
        #expect(await page.request("GET", "/t", headers: [("If-Modified-Since", "Sat, 21 Nov 2026 10:00:00 GMT")]).status == 304)
        #expect(await page.request("GET", "/t", headers: [("If-Modified-Since", "Sun, 22 Nov 2026 00:00:00 GMT")]).status == 304)
        #expect(await page.request("GET", "/t", headers: [("If-Modified-Since", "Fri, 20 Nov 2026 10:00:00 GMT")]).status == 200)
        #expect(await page.request("GET", "/t", headers: [("If-Modified-Since", "Saturday, 21-Nov-26 10:00:00 GMT")]).status == 304)
        #expect(await page.request("GET", "/t", headers: [("If-Modified-Since", "nonsense")]).status == 200)
        // Without a Last-Modified there is nothing to compare: stale.
        let unmarked = client(etag: .off) { _, res in res.send("hey") }
        #expect(await unmarked.request("GET", "/t", headers: [("If-Modified-Since", "Sun, 22 Nov 2026 00:00:00 GMT")]).status == 200)
    }

    @Test func freshAndStaleArePublic() async {
        let response = await client { req, res in
            res.setHeader("ETag", #""a""#)
            res.json(["fresh": .bool(req.fresh), "stale": .bool(req.stale)])
        }.request("GET", "/t", headers: [("If-None-Match", #""b""#)])
        #expect(response.json == ["fresh": false, "stale": true])
    }
}

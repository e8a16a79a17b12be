import Foundation
import Nozzle
import Testing

/// `examples/session` behind real nginx: signed cookie sessions, negotiated redirects, htmx headers.
@Suite(.serialized)
struct SessionExampleTests {
    static let browserAccept = "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    static let form = "Content-Type: application/x-www-form-urlencoded"

    func start(secret: String = "test-secret-\(UUID().uuidString.prefix(8))") throws -> NginxFrontedApp {
        try NginxFrontedApp(binary: "session", executable: ExampleBuild.binary("session"), environment: ["SESSION_SECRET": secret])
    }

    /// The `session=...` pair from a response's Set-Cookie, ready for a Cookie header.
    func sessionCookie(_ response: HTTPResult) throws -> String {
        let header = try #require(response.headers.all("Set-Cookie").first { $0.hasPrefix("session=") })
        return String(header.split(separator: ";")[0])
    }

    func login(_ stack: NginxFrontedApp, name: String = "ada", password: String = "lovelace") throws -> HTTPResult {
        try stack.request("POST", "/api/login", headers: ["Content-Type: application/json", "Accept: application/json"], body: #"{"name":"\#(name)","password":"\#(password)"}"#)
    }

    @Test func jsonLoginSetsASignedCookieThatMeReads() throws {
        let stack = try start()
        let answer = try login(stack)
        #expect(answer.status == 200)
        #expect(answer.json?["user"]?["name"] == "ada")
        let setCookie = try #require(answer.headers.all("Set-Cookie").first)
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Lax"))
        #expect(setCookie.contains("Path=/"))
        let cookie = try sessionCookie(answer)

        let me = try stack.get("/api/me", headers: ["Cookie: \(cookie)"])
        #expect(me.status == 200)
        #expect(me.json?["user"]?["name"] == "ada")
        let anonymous = try stack.get("/api/me")
        #expect(anonymous.status == 401)
        #expect(anonymous.body == #"{"error":"Not logged in"}"#)
    }

    @Test func aTamperedCookieIsNoSession() throws {
        let stack = try start()
        let cookie = try sessionCookie(login(stack))
        let value = cookie.dropFirst("session=".count)
        let parts = value.split(separator: ".")
        // The payload rewritten to name another user, with the original signature.
        let forgedPayload = Data(#"{"name":"grace","exp":9999999999}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let signature = Array(parts[1])
        // One character of the signature changed: a wrong signature. The last character changed
        // only in its unused bits: the same signature spelled differently, which is refused too.
        var wrongSignature = signature
        wrongSignature[5] = wrongSignature[5] == "A" ? "B" : "A"
        // 32 bytes take 43 characters, whose last carries 4 bits and 2 unused ones (zero when
        // canonical): the next character of the alphabet sets an unused bit and keeps the rest.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var respelled = signature
        let lastIndex = try #require(alphabet.firstIndex(of: signature[signature.count - 1]))
        #expect(signature.count == 43 && lastIndex.isMultiple(of: 4))
        respelled[respelled.count - 1] = alphabet[lastIndex + 1]
        let tampered = [
            "session=\(forgedPayload).\(parts[1])",
            "session=\(parts[0]).\(String(wrongSignature))",
            "session=\(parts[0]).\(String(respelled))",
            "session=\(parts[0])",
            "session=garbage",
        ]
        for cookie in tampered {
            let answer = try stack.get("/api/me", headers: ["Cookie: \(cookie)"])
            #expect(answer.status == 401, "\(cookie)")
        }
        #expect(stack.app?.stderr.contains("bad signature") == true)
        // A cookie signed with another server's secret is no session here either.
        let other = try start(secret: "another-secret")
        #expect(try other.get("/api/me", headers: ["Cookie: \(cookie)"]).status == 401)
        #expect(try stack.get("/api/me", headers: ["Cookie: \(cookie)"]).status == 200)
    }

    @Test func browserFormPostsAreRedirectedWith303() throws {
        let stack = try start()
        let answer = try stack.request("POST", "/api/login", headers: [Self.browserAccept, Self.form], body: "name=grace&password=hopper&location=%2Fdashboard")
        #expect(answer.status == 303)
        #expect(answer.headers["Location"] == "/dashboard")
        #expect(try stack.get("/api/me", headers: ["Cookie: \(sessionCookie(answer))"]).json?["user"]?["name"] == "grace")

        // A location on another site is not followed.
        let offsite = try stack.request("POST", "/api/login", headers: [Self.browserAccept, Self.form], body: "name=grace&password=hopper&location=%2F%2Fevil.example")
        #expect(offsite.headers["Location"] == "/")

        let wrong = try stack.request("POST", "/api/login", headers: [Self.browserAccept, Self.form], body: "name=grace&password=nope")
        #expect(wrong.status == 303)
        #expect(wrong.headers["Location"] == "/login?error=1")
        #expect(wrong.headers.all("Set-Cookie").isEmpty)

        let wrongJSON = try login(stack, password: "nope")
        #expect(wrongJSON.status == 401)
        #expect(wrongJSON.body == #"{"error":"Invalid name or password"}"#)

        let missing = try stack.request("POST", "/api/login", headers: ["Content-Type: application/json"], body: #"{"name":"ada"}"#)
        #expect(missing.status == 400)
        #expect(missing.json?["field"] == "password")

        let logout = try stack.request("POST", "/api/logout", headers: [Self.browserAccept, Self.form], body: "")
        #expect(logout.status == 303)
        #expect(logout.headers["Location"] == "/")
        let cleared = try #require(logout.headers.all("Set-Cookie").first)
        #expect(cleared.hasPrefix("session=;"))
        #expect(cleared.contains("Expires=Thu, 01 Jan 1970"))
        let logoutJSON = try stack.request("POST", "/api/logout", headers: ["Accept: application/json"])
        #expect(logoutJSON.status == 200)
        #expect(logoutJSON.body == #"{"loggedOut":true}"#)
    }

    @Test func htmxRequestsGetHtmxHeaders() throws {
        let stack = try start()
        let htmx = ["HX-Request: true", Self.form]
        let login = try stack.request("POST", "/api/login", headers: htmx, body: "name=ada&password=lovelace&location=%2Faccount")
        #expect(login.status == 200)
        #expect(login.headers["HX-Redirect"] == "/account")
        #expect(login.headers["HX-Trigger"] == #"{"showMessage":{"level":"success","text":"Welcome, ada!"}}"#)
        let cookie = try sessionCookie(login)

        let wrong = try stack.request("POST", "/api/login", headers: htmx, body: "name=ada&password=nope")
        #expect(wrong.status == 200)
        #expect(wrong.headers["HX-Retarget"] == "#login-error")
        #expect(wrong.headers["HX-Reswap"] == "innerHTML")
        #expect(wrong.body.contains("Wrong name or password"))

        let profile = try stack.request("POST", "/api/profile", headers: htmx + ["Cookie: \(cookie)"], body: "displayName=Ada+%3Cb%3E")
        #expect(profile.status == 200)
        #expect(profile.headers["HX-Trigger"] == "profileUpdated")
        #expect(profile.headers["HX-Push-Url"] == "/profile")
        #expect(profile.body == #"<span id="display-name">Ada &lt;b&gt;</span>"#)
        let me = try stack.get("/api/me", headers: ["Cookie: \(sessionCookie(profile))"])
        #expect(me.json?["user"]?["displayName"] == "Ada <b>")

        #expect(try stack.request("POST", "/api/profile", headers: htmx, body: "displayName=X").status == 401)

        let logout = try stack.request("POST", "/api/logout", headers: htmx + ["Cookie: \(cookie)"])
        #expect(logout.headers["HX-Refresh"] == "true")
        #expect(logout.headers.all("Set-Cookie").first?.hasPrefix("session=;") == true)
    }
}

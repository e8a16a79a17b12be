import Crypto
import Foundation
import Nozzle

/// A session kept in a signed cookie, as Enhance's `session`: the client holds the data, and an
/// HMAC-SHA256 keyed by `SESSION_SECRET` proves the server wrote it.
///
/// The cookie is `session=<payload>.<signature>`, both base64url: the payload is the session as
/// JSON with an `exp` time. A cookie whose signature does not match, that cannot be read, or that
/// has expired counts as no session.
enum SessionCookie {
    static let name = "session"
    static let variable = "SESSION_SECRET"
    /// How long a session lasts: a week.
    static let lifetime = 7 * 24 * 3600

    /// The key; nil when `SESSION_SECRET` is unset or empty. Read once, at first use.
    static let secret: SymmetricKey? = {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return nil }
        return SymmetricKey(data: Data(text.utf8))
    }()

    /// The request's session, or nil when it has none that this server signed.
    static func read(_ req: Request) throws -> JSONObject? {
        let key = try requireSecret(req)
        guard let cookie = req.cookies[name] else { return nil }
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(parts[0]), let signature = Base64URL.decode(parts[1]),
              HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: payload, using: key)
        else {
            req.log.warning("ignored a session cookie with a bad signature")
            return nil
        }
        guard case .object(let session)? = try? JSON(parsing: payload),
              case .int(let expires)? = session["exp"], expires > Int(Date().timeIntervalSince1970)
        else { return nil }
        return session
    }

    /// Sets the cookie to `session`, signed, with an expiry a ``lifetime`` from now.
    static func write(_ session: JSONObject, to res: Response, for req: Request) throws {
        let key = try requireSecret(req)
        var session = session
        session["exp"] = .int(Int(Date().timeIntervalSince1970) + lifetime)
        let payload = JSON.object(session).bytes
        let signature = Array(HMAC<SHA256>.authenticationCode(for: payload, using: key))
        res.cookie(name, Base64URL.encode(payload) + "." + Base64URL.encode(signature), options(for: req, maxAge: lifetime))
    }

    /// Removes the cookie.
    static func clear(_ res: Response, for req: Request) {
        res.clearCookie(name, options(for: req, maxAge: nil))
    }

    /// HttpOnly so scripts cannot read it, SameSite=Lax so other sites' forms do not carry it, and
    /// Secure when the request came over HTTPS.
    private static func options(for req: Request, maxAge: Int?) -> CookieOptions {
        CookieOptions(maxAge: maxAge, path: "/", secure: req.secure, httpOnly: true, sameSite: .lax)
    }

    private static func requireSecret(_ req: Request) throws -> SymmetricKey {
        guard let secret else {
            req.log.error("SESSION_SECRET is not set: sessions can be neither read nor written")
            throw HTTPError(500, "Session secret is not configured")
        }
        return secret
    }
}

/// base64url without padding, as cookies and JWTs use it.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of `text`; nil unless `text` is exactly what ``encode(_:)`` writes for them. Base64
    /// leaves a few bits unused in its last character, and a decoder ignores them: without this
    /// check, several spellings of one signature would be accepted.
    static func decode(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while !base64.count.isMultiple(of: 4) { base64 += "=" }
        guard let bytes = Data(base64Encoded: base64).map(Array.init), encode(bytes) == text else { return nil }
        return bytes
    }
}

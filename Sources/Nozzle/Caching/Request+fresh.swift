extension Request {
    /// Whether the client's cached copy is still good, as Express's `req.fresh` decides: for GET and
    /// HEAD answered 2xx or 304, when `If-None-Match` matches the response's `ETag` (weak comparison,
    /// a list, or `*`) and `If-Modified-Since` is not before its `Last-Modified`; never with
    /// `Cache-Control: no-cache`. `res.send` and `res.json` answer 304 by themselves when it holds.
    public var fresh: Bool {
        guard method == "GET" || method == "HEAD", let response else { return false }
        let status = response.statusCode
        guard (200..<300).contains(status) || status == 304 else { return false }
        // Most requests carry neither condition: answered from the params, without the header table.
        guard variables[.ifNoneMatch] != nil || variables[.ifModifiedSince] != nil else { return false }
        return Freshness.isFresh(
            ifNoneMatch: headers["If-None-Match"], ifModifiedSince: headers["If-Modified-Since"],
            cacheControl: headers["Cache-Control"], etag: response.getHeader("ETag"), lastModified: response.getHeader("Last-Modified"))
    }

    /// The opposite of ``fresh``: the client needs the whole response.
    public var stale: Bool { !fresh }
}

/// The freshness rules of the `fresh` package Express uses.
enum Freshness {
    static func isFresh(ifNoneMatch: String?, ifModifiedSince: String?, cacheControl: String?, etag: String?, lastModified: String?) -> Bool {
        let noneMatch = ifNoneMatch.flatMap { $0.isEmpty ? nil : $0 }
        let modifiedSince = ifModifiedSince.flatMap { $0.isEmpty ? nil : $0 }
        guard noneMatch != nil || modifiedSince != nil else { return false }
        // An end-to-end reload: always stale.
        if let cacheControl, hasNoCache(cacheControl) { return false }
        if let noneMatch, noneMatch != "*" {
            guard let etag else { return false }
            let matches = tokens(noneMatch).contains { $0 == etag || $0 == "W/" + etag || "W/" + $0 == etag }
            if !matches { return false }
        }
        if let modifiedSince {
            guard let lastModified, let modified = HTTPDate.parse(lastModified), let since = HTTPDate.parse(modifiedSince), modified <= since else {
                return false
            }
        }
        return true
    }

    /// `no-cache` as a whole directive in `Cache-Control`.
    static func hasNoCache(_ value: String) -> Bool {
        value.split(separator: ",").contains { $0.trimmingCharacters(in: " ").lowercased() == "no-cache" }
    }

    /// A comma-separated list, spaces around the items dropped.
    static func tokens(_ value: String) -> [String] {
        value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: " ") }
    }
}

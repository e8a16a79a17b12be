extension Request {
    /// Whether htmx sent this request: it carries `HX-Request: true`.
    public var isHTMX: Bool { headers["HX-Request"]?.lowercased() == "true" }
}

extension Response {
    /// The htmx response headers for this response, as the Luat seed sets them by hand:
    ///
    /// ```swift
    /// res.htmx.redirect("/blog/\(slug)")
    /// res.htmx.trigger("postCreated")
    /// res.htmx.trigger(["showMessage": ["level": "success", "text": "Post created!"]])
    /// res.htmx.retarget("#errors").reswap("innerHTML")
    /// ```
    public var htmx: HTMXHeaders { HTMXHeaders(response: self) }
}

/// Sets the response headers htmx reads; every method is chainable. See ``Response/htmx``.
public struct HTMXHeaders: Sendable {
    let response: Response

    /// `HX-Redirect`: htmx loads `url` as a full page.
    @discardableResult
    public func redirect(_ url: String) -> HTMXHeaders { set("HX-Redirect", url) }

    /// `HX-Trigger` with an event name: htmx fires that event on the client.
    @discardableResult
    public func trigger(_ event: String) -> HTMXHeaders { set("HX-Trigger", event) }

    /// `HX-Trigger` with a JSON object of events and their details:
    /// `["showMessage": ["level": "success", "text": "Saved"]]`.
    @discardableResult
    public func trigger(_ events: JSON) -> HTMXHeaders { set("HX-Trigger", events.text) }

    /// `HX-Refresh: true`: htmx reloads the whole page.
    @discardableResult
    public func refresh() -> HTMXHeaders { set("HX-Refresh", "true") }

    /// `HX-Push-Url`: htmx pushes `url` onto the browser history.
    @discardableResult
    public func pushURL(_ url: String) -> HTMXHeaders { set("HX-Push-Url", url) }

    /// `HX-Retarget`: a CSS selector for the element the response replaces instead of the target.
    @discardableResult
    public func retarget(_ selector: String) -> HTMXHeaders { set("HX-Retarget", selector) }

    /// `HX-Reswap`: how the response is swapped in, such as `innerHTML` or `outerHTML`.
    @discardableResult
    public func reswap(_ strategy: String) -> HTMXHeaders { set("HX-Reswap", strategy) }

    private func set(_ name: String, _ value: String) -> HTMXHeaders {
        response.setHeader(name, value)
        return self
    }
}

import Nozzle

/// `POST /api/webhook`: a Stripe-style webhook. The sender signs the raw body with HMAC-SHA256
/// keyed by the shared `WEBHOOK_SECRET` and sends `X-Signature: sha256=<hex>`.
///
/// The body parser is off: the signature covers the exact bytes, so they are read as they came,
/// checked, and only then parsed.
enum Webhook: APIRoute {
    static let config = RouteConfig(bodyParser: false, schemas: [
        .POST: OperationSchema(status: 200)
            .answering(403, "The signature is missing or wrong: the sender could not show that it holds the secret")
            .answering(400, "The signed body is not an event with a type"),
    ])

    static func POST(_ req: Request, _ res: Response) async throws {
        guard let secret = WebhookSignature.secret else {
            req.log.error("WEBHOOK_SECRET is not set: no webhook can be verified")
            throw HTTPError(500, "Webhook secret is not configured")
        }
        let body = try await req.readBody(limit: 1 << 20)
        guard WebhookSignature.isValid(header: req.headers["X-Signature"], body: body, secret: secret) else {
            req.log.warning("rejected a webhook: missing or wrong X-Signature")
            // 403: the sender is refused for who it is, not for what it sent (Stripe's sender
            // retries any answer but a 2xx alike).
            throw HTTPError(403, "Invalid signature")
        }
        let event: JSON
        do {
            event = try JSON(parsing: body)
        } catch {
            throw HTTPError(400, "Invalid JSON: \(error)")
        }
        guard case .string(let type)? = event["type"] else {
            throw fail(400, ["error": "Event has no type", "field": "type"])
        }
        WebhookEvents.dispatch(type: type, event: event, log: req.log)
        res.json(["received": true])
    }
}

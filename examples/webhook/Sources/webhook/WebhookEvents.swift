import Nozzle

/// What happens for each event type, as the seed's `switch (event.type)`. Here each handler logs
/// what a real app would do; unknown types are acknowledged and logged, as Stripe expects.
enum WebhookEvents {
    static func dispatch(type: String, event: JSON, log: RequestLog) {
        let object = event["data"]?["object"]
        let id = object?["id"].flatMap { if case .string(let id) = $0 { id } else { nil } } ?? "unknown"
        switch type {
        case "checkout.session.completed":
            log.info("checkout completed: session \(id)")
        case "customer.subscription.updated":
            log.info("subscription updated: \(id)")
        case "invoice.payment_failed":
            log.warning("payment failed: invoice \(id)")
        default:
            log.info("ignored webhook event type \(type)")
        }
    }
}

import OpenAPIRuntime
import Synchronization

/// The operations of `openapi.yaml`: `APIProtocol`, its types and `registerHandlers(on:)` are
/// generated from the document at build time; only what each operation does is written here. A
/// class, sharing its messages across requests behind a lock.
final class Handlers: APIProtocol {
    /// Messages kept so far, in this process.
    let messages = Mutex<[Components.Schemas.Message]>([])

    func greet(_ input: Operations.Greet.Input) async throws -> Operations.Greet.Output {
        let word = input.query.style == .hi ? "Hi" : "Hello"
        return .ok(.init(body: .json(.init(message: "\(word), \(input.path.name)!"))))
    }

    func postMessage(_ input: Operations.PostMessage.Input) async throws -> Operations.PostMessage.Output {
        let message: Components.Schemas.NewMessage
        switch input.body {
        case .json(let body): message = body
        }
        guard !message.text.isEmpty else { return .unprocessableContent(.init(body: .json(.init(error: "The text is empty")))) }
        let kept = messages.withLock { messages in
            let kept = Components.Schemas.Message(id: messages.count + 1, text: message.text)
            messages.append(kept)
            return kept
        }
        return .created(.init(body: .json(kept)))
    }
}

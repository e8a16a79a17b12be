/// Whether to send a request to the database, decided from what the last ones met.
///
/// Closed, requests go through. The first that finds the database unreachable (a connection error,
/// or no answer within the database timeout) opens the circuit: from then on requests are refused
/// at once, with 503, instead of each waiting out its timeout, and one probe at a time tries to
/// reach the database. The probe that gets through closes the circuit again. A value, so that the
/// rules are tested without a database.
struct DatabaseCircuit: Equatable {
    enum State: Equatable {
        case closed
        /// Unreachable since `since` (seconds on a monotonic clock) because of `reason`.
        case open(since: Double, reason: String)
    }

    private(set) var state = State.closed

    /// Why a request should not be sent now; nil when it should.
    var refusal: String? {
        guard case .open(_, let reason) = state else { return nil }
        return reason
    }

    /// A request or probe could not reach the database. True when this opened the circuit: the
    /// caller logs it and starts probing.
    mutating func failed(reason: String, at now: Double) -> Bool {
        guard case .closed = state else { return false }
        state = .open(since: now, reason: reason)
        return true
    }

    /// A probe reached the database. The outage's length when this closed the circuit, else nil.
    mutating func recovered(at now: Double) -> Double? {
        guard case .open(let since, _) = state else { return nil }
        state = .closed
        return now - since
    }
}

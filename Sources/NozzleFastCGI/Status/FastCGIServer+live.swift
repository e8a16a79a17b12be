import Nozzle
#if canImport(Glibc)
import Glibc
#endif

/// The requests in flight, as the status page's `?full` lists them, and the slow-request log.
extension FastCGIServer {
    /// This process's requests in flight, the oldest first, leaving out the host's own pages.
    /// With `slowerThan`, only those in flight that long and not logged yet, which are marked logged.
    func liveRequests(now: Double = System.now(), slowerThan: Double? = nil) -> [LiveRequest] {
        let running = pool.runningRequests()
        let app = pipeline.app
        let describe = { [options] (params: CGIEnvironment, id: String, seconds: Double, phase: LiveRequest.Phase, thread: Int?) in
            LiveRequest(
                params: params, generatedID: id, seconds: seconds, phase: phase, thread: thread, app: app, basePath: options.basePath,
                showQuery: options.statusShowsQuery)
        }
        let requests = connections.withLock { $0.all }.compactMap { connection in
            connection.liveRequest(now: now, atLeast: slowerThan ?? 0, markSlow: slowerThan != nil, running: running, describe: describe)
        }
        return requests.filter { !hostPages.serves(String($0.path.prefix { $0 != "?" })) }.sorted { $0.seconds > $1.seconds }
    }

    /// The whole pool's requests in flight: this process's, and under a supervisor every other
    /// worker's, the oldest first.
    func poolLiveRequests() -> [LiveRequest] {
        (liveRequests() + (statusPeers?.gather() ?? [])).sorted { $0.seconds > $1.seconds }
    }

    /// Answers the other workers of the pool that asked for this one's requests; on the control thread.
    func answerStatusPeers() {
        statusPeers?.answer { Array(JSON.array(liveRequests().map(\.json)).text.utf8) }
    }

    /// Logs, once each, the requests that have passed `--slow-request-log`; a request holding a
    /// thread is logged with that thread's stack. On the control thread.
    func logSlowRequests(now: Double) {
        guard let threshold = options.slowRequestLog else { return }
        for request in liveRequests(now: now, slowerThan: threshold) {
            var fields = request.logFields
            let message: String
            let elapsed = "slow request: \(String(format1: request.seconds)) s in flight"
            if let thread = request.thread {
                if let frames = stack(of: request, thread: thread) {
                    fields.append(("stack", frames.enumerated().map { "#\($0.offset) \($0.element)" }.joined(separator: "\n")))
                    message = "\(elapsed), running on worker thread \(thread); its stack is in the stack field"
                } else {
                    message = "\(elapsed), running on worker thread \(thread) (its stack could not be taken)"
                }
            } else {
                message = switch request.phase {
                case .queued: "\(elapsed), queued at --max-in-flight"
                case .readingBody: "\(elapsed), reading its body without holding a thread"
                case .writing: "\(elapsed), writing its response without holding a thread"
                case .waiting, .running: "\(elapsed), waiting without holding a thread"
                }
            }
            LogOutput.shared.log(.warning, message, metadata: fields)
        }
    }

    /// The stack of the thread a request runs on, if it still runs there once the stack is taken.
    private func stack(of request: LiveRequest, thread: Int) -> [String]? {
        guard let threadID = pool.threadID(thread), let before = pool.runningExecutor(thread) else { return nil }
        let frames = ThreadStack.capture(threadID)
        // The request may have moved on meanwhile: then the stack is someone else's.
        guard pool.runningExecutor(thread) === before else { return nil }
        return frames
    }
}

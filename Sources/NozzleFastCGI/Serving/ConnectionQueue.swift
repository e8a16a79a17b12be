import CFastCGI
#if canImport(Glibc)
import Glibc
#endif

/// Connections with a request ready, waiting for a worker thread.
final class ConnectionQueue: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var items: [UnsafeMutablePointer<FCGX_Request>] = []
    private var head = 0
    private var closed = false

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        items.reserveCapacity(256)
    }

    func push(_ request: UnsafeMutablePointer<FCGX_Request>) {
        pthread_mutex_lock(&mutex)
        items.append(request)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// The next connection, or nil once the queue is closed and empty.
    func pop() -> UnsafeMutablePointer<FCGX_Request>? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while head == items.count && !closed { pthread_cond_wait(&condition, &mutex) }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return item
    }

    /// Lets the workers exit once the queue is empty.
    func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
    }
}

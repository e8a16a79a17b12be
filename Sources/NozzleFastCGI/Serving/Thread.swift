#if canImport(Glibc)
import Glibc
#endif

/// Starts plain threads: the workers wait in `epoll_wait`, and a handler may block one in a
/// synchronous call; neither may happen on Swift's cooperative pool.
enum Thread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func start(_ body: @escaping () -> Void) -> pthread_t {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(System.describe(result))")
        return thread
    }
}

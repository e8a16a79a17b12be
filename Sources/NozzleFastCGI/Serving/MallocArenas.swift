import CNozzleSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The limit on glibc malloc's arenas that `--malloc-arenas` sets (``ServeOptions/defaultMallocArenas``
/// says why there is one).
enum MallocArenas {
    /// Limits malloc to `arenas` arenas for the threads that allocate from now on; returns whether
    /// it did. Nothing changes for 0, or when the environment sets `MALLOC_ARENA_MAX`, which glibc
    /// has read already: an explicit setting wins.
    ///
    /// - Important: Call it before the app's start-up work and the worker threads: a thread keeps
    ///   the arena it took at its first allocation.
    @discardableResult
    static func limit(to arenas: Int) -> Bool {
        // The process's own environment, which glibc read: not one handed to `App.run` in a test.
        guard arenas > 0, getenv("MALLOC_ARENA_MAX") == nil else { return false }
        return nozzle_malloc_arena_max(Int32(arenas)) == 1
    }
}

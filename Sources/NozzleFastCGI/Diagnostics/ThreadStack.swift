import CNozzleSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Another thread's stack, named: what the slow-request log shows for a request that holds a
/// thread, as PHP-FPM's slowlog shows the script's stack.
///
/// The thread is sent a real-time signal, and its handler records its own return addresses (see
/// `nozzle_stack_capture`); frames are named from the executable's symbol table or, in shared
/// libraries, their dynamic symbols, and Swift names are demangled.
enum ThreadStack {
    /// Whether the handler is in place; installed when first needed.
    static let installed: Bool = nozzle_stack_install() == 0
    /// One capture at a time: there is one slot.
    private static let capturing = Mutex(())

    /// `thread`'s stack, innermost frame first; nil when it could not be taken.
    static func capture(_ thread: pthread_t) -> [String]? {
        guard installed else { return nil }
        var frames = [UnsafeMutableRawPointer?](repeating: nil, count: 64)
        let count = capturing.withLock { _ in frames.withUnsafeMutableBufferPointer { nozzle_stack_capture(thread, $0.baseAddress, 64) } }
        guard count > 0 else { return nil }
        var names = frames[0..<Int(count)].map { name(of: UInt(bitPattern: $0)) }
        // The handler's own frame comes first, then the signal's return trampoline in libc.
        if names.first?.hasPrefix("nozzle_stack_handler") == true { names.removeFirst(min(2, names.count)) }
        return names
    }

    /// A frame's function, demangled, with its offset; or its address and library.
    static func name(of address: UInt) -> String {
        if let (symbol, offset) = ExecutableSymbols.current?.function(at: address) {
            return demangle(symbol) + " + \(offset)"
        }
        var pointer = UnsafeMutableRawPointer(bitPattern: address)
        guard let described = backtrace_symbols(&pointer, 1) else { return hex(address) }
        defer { free(described) }
        let text = described[0].map { String(cString: $0) } ?? ""
        // "/lib/libswiftCore.so(swift_task_switch+0x3f) [0x…]"
        if let open = text.firstIndex(of: "("), let close = text[open...].firstIndex(where: { $0 == "+" || $0 == ")" }),
            text.index(after: open) < close
        {
            return demangle(String(text[text.index(after: open)..<close])) + " (\(library(text[..<open])))"
        }
        return hex(address) + " (\(library(text.prefix { $0 != "(" })))"
    }

    /// A Swift symbol's readable name; others as they are.
    static func demangle(_ symbol: String) -> String {
        guard symbol.hasPrefix("$s") || symbol.hasPrefix("_$s") || symbol.hasPrefix("$e"),
            let readable = swift_demangle(symbol, symbol.utf8.count, nil, nil, 0)
        else { return symbol }
        defer { free(readable) }
        return String(cString: readable)
    }

    private static func library(_ path: Substring) -> Substring { path.split(separator: "/").last ?? path }

    private static func hex(_ address: UInt) -> String { "0x" + String(address, radix: 16) }
}

import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small facts about the process and the machine.
enum System {
    static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The error message for an errno value.
    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Writes an operational log line, in the configured format, to the log.
    static func log(_ message: String, level: Logger.Level = .info) { LogOutput.shared.log(level, message) }

    /// Writes a whole line to stderr as it is: for the command line's own messages, not the log.
    static func writeStderr(_ line: String) {
        var text = line
        if !text.hasSuffix("\n") { text += "\n" }
        text.withUTF8 { writeAll(2, UnsafeRawBufferPointer($0)) }
    }

    /// Writes every byte, in as few writes as the kernel takes; gives up quietly on an error.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Raises this process's limit on open files to its hard limit, as Go and nginx do: every
    /// waiting request holds a connection, and the usual soft limit of 1024 would cap them.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// This process's resident memory in bytes, from `/proc/self/statm`; nil where it cannot be read.
    static func residentBytes() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 127) }
        guard count > 0 else { return nil }
        // "size resident shared ...", in pages.
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The name the program was started as, without its directory.
    static var programName: String {
        let path = CommandLine.arguments.first ?? "app"
        return path.split(separator: "/").last.map(String.init) ?? path
    }
}

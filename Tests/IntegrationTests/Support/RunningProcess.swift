import Foundation

/// A child process with its output captured in files, running in a directory of its own; killed when
/// released.
final class RunningProcess: @unchecked Sendable {
    let process = Process()
    let stdoutFile: URL
    let stderrFile: URL

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: FileHandle? = nil, in directory: URL) throws {
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        guard open < 1_000 else { throw SetupError(what: "the test process has \(open) descriptors open: something leaks them") }
        let name = URL(fileURLWithPath: executable).lastPathComponent
        stdoutFile = directory.appending(path: "\(name)-\(UUID().uuidString.prefix(4)).out")
        stderrFile = directory.appending(path: "\(name)-\(UUID().uuidString.prefix(4)).err")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        // The test runner's threads block most signals, and a child inherits that mask; Foundation's
        // Process cannot reset it. perl (always on Debian) unblocks them all, changes to the
        // directory, then runs the program. (With Process's own currentDirectoryURL set, the test
        // process crashed inside Process.run while several tests started processes at once.)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/perl")
        process.arguments = [
            "-MPOSIX", "-e",
            "sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die; my $dir = shift @ARGV; chdir $dir or die \"cannot enter $dir: $!\\n\"; exec { $ARGV[0] } @ARGV or die \"cannot run $ARGV[0]: $!\\n\"",
            directory.path, executable,
        ] + arguments
        if let environment { process.environment = environment }
        let handles = [stdin ?? FileHandle(forReadingAtPath: "/dev/null"), try FileHandle(forWritingTo: stdoutFile), try FileHandle(forWritingTo: stderrFile)]
        process.standardInput = handles[0]
        process.standardOutput = handles[1]
        process.standardError = handles[2]
        // The child has its own copies once it runs. Process never lets go of these (nor of itself,
        // without waitUntilExit), so they are closed here: left open, three descriptors per child
        // pile up over a test run, and past about 1,360 open descriptors Process.run's scan of
        // /proc/self/fd reads beyond its buffer and the test process crashes.
        defer { for handle in handles { try? handle?.close() } }
        try process.run()
    }

    deinit {
        // A graceful stop first, so that a supervisor can stop its workers; then no more waiting.
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            if waitForExit(timeout: 5) == nil { kill(process.processIdentifier, SIGKILL) }
        }
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits up to `timeout` seconds for the exit; returns the status, or nil if still running.
    func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Runs a command to completion and returns its status and output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: [UInt8] = [], in directory: URL, timeout: Double = 20) throws -> (status: Int32?, stdout: String, stderr: String) {
        let pipe = Pipe()
        let child = try RunningProcess(executable, arguments, environment: environment, stdin: pipe.fileHandleForReading, in: directory)
        pipe.fileHandleForWriting.write(Data(input))
        try pipe.fileHandleForWriting.close()
        let status = child.waitForExit(timeout: timeout)
        return (status, child.stdout, child.stderr)
    }
}

/// Waits until `condition` holds, up to `timeout` seconds.
func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

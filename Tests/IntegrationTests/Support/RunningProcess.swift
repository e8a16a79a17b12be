import Foundation

/// A child process with its output captured in files, running in a directory of its own; killed when
/// released.
final class RunningProcess: @unchecked Sendable {
    let process = Process()
    let stdoutFile: URL
    let stderrFile: URL

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: FileHandle? = nil, in directory: URL) throws {
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
        process.standardInput = stdin ?? FileHandle(forReadingAtPath: "/dev/null")
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
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

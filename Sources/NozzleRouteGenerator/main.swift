// The route generator that the NozzleRoutes plugin runs at build time.
//
// Usage: NozzleRouteGenerator TABLE_OUTPUT TARGET_DIR [ROUTE_FILE COPY_OUTPUT]...
// Route files are absolute paths inside TARGET_DIR. Problems are printed as compiler diagnostics
// (`file:1:1: error: …`) that name every file concerned, and the build fails.
import Foundation
import NozzleRouteCompiler

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2, arguments.count % 2 == 0 else {
    fail("usage: NozzleRouteGenerator TABLE_OUTPUT TARGET_DIR [ROUTE_FILE COPY_OUTPUT]...")
}
let tableOutput = arguments.removeFirst()
var targetDirectory = arguments.removeFirst()
if !targetDirectory.hasSuffix("/") { targetDirectory += "/" }

var files: [(file: String, source: String)] = []
var copies: [(absolute: String, source: String, output: String)] = []
var absoluteByRelative: [String: String] = [:]
for index in stride(from: 0, to: arguments.count, by: 2) {
    let absolute = arguments[index]
    guard absolute.hasPrefix(targetDirectory) else { fail("\(absolute): not inside \(targetDirectory)") }
    let relative = String(absolute.dropFirst(targetDirectory.count))
    guard let source = try? String(contentsOfFile: absolute, encoding: .utf8) else {
        fail("\(absolute):1:1: error: cannot read this route file as UTF-8")
    }
    files.append((relative, source))
    copies.append((absolute, source, arguments[index + 1]))
    absoluteByRelative[relative] = absolute
}

let (routes, diagnostics) = RouteSet.compile(files)
guard let routes else {
    var text = ""
    for diagnostic in diagnostics {
        // One diagnostic per file concerned, so each file shows the error in an editor.
        for file in diagnostic.files {
            text += "\(absoluteByRelative[file] ?? file):\(diagnostic.line ?? 1):1: error: \(diagnostic.message)\n"
        }
    }
    fail(text.trimmingCharacters(in: .newlines))
}

// '#sourceLocation' makes each copy's '#fileID' "Module/<basename>": two route files with one
// basename (users/index.swift, posts/index.swift) would clash and make the compiler warn. Those point
// at a link with a name of their own instead, which leads to the same file: api/users/index.swift is
// reached through route-files/users+index.swift ('+' never appears in a route file's path).
var basenameCounts: [String: Int] = [:]
for file in files { basenameCounts[(file.file as NSString).lastPathComponent, default: 0] += 1 }
let linkDirectory = ((tableOutput as NSString).deletingLastPathComponent as NSString).appendingPathComponent("route-files")

do {
    try RouteTableWriter.source(for: routes).write(toFile: tableOutput, atomically: true, encoding: .utf8)
    for (copy, file) in zip(copies, files) {
        var location = copy.absolute
        if basenameCounts[(file.file as NSString).lastPathComponent, default: 0] > 1 {
            let inside = file.file.hasPrefix("api/") ? String(file.file.dropFirst(4)) : file.file
            location = (linkDirectory as NSString).appendingPathComponent(inside.replacingOccurrences(of: "/", with: "+"))
            try FileManager.default.createDirectory(atPath: linkDirectory, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: location)
            try FileManager.default.createSymbolicLink(atPath: location, withDestinationPath: copy.absolute)
        }
        try RouteTableWriter.copy(of: copy.source, originalPath: location)
            .write(toFile: copy.output, atomically: true, encoding: .utf8)
    }
} catch {
    fail("NozzleRouteGenerator: cannot write the route table: \(error)")
}

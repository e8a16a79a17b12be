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
            text += "\(absoluteByRelative[file] ?? file):1:1: error: \(diagnostic.message)\n"
        }
    }
    fail(text.trimmingCharacters(in: .newlines))
}

do {
    try RouteTableWriter.source(for: routes).write(toFile: tableOutput, atomically: true, encoding: .utf8)
    for copy in copies {
        try RouteTableWriter.copy(of: copy.source, originalPath: copy.absolute)
            .write(toFile: copy.output, atomically: true, encoding: .utf8)
    }
} catch {
    fail("NozzleRouteGenerator: cannot write the route table: \(error)")
}

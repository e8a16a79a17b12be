import Foundation
import PackagePlugin

/// Compiles a target's `api/` folder into its route table.
///
/// Every route file is declared as an input, so adding, removing, renaming or editing one reruns
/// the generator. Each file is compiled from a copy with a unique name, because two files with the
/// same base name (`users/index.swift`, `posts/index.swift`) in one target clash as "multiple
/// producers"; the copy starts with `#sourceLocation`, so errors still point at `api/...`.
/// The target must list `api` in its `exclude`.
@main
struct NozzleRoutes: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let targetDirectory = target.directoryURL
        let apiDirectory = targetDirectory.appending(path: "api")
        let routeFiles = swiftFiles(under: apiDirectory)
        let output = context.pluginWorkDirectoryURL
        let table = output.appending(path: "RouteTable.generated.swift")
        var arguments = [table.path(percentEncoded: false), targetDirectory.path(percentEncoded: false)]
        var outputs = [table]
        for (index, file) in routeFiles.enumerated() {
            let relative = String(file.path(percentEncoded: false).dropFirst(apiDirectory.path(percentEncoded: false).count))
            let safe = String(relative.dropLast(6).map { $0.isLetter || $0.isNumber ? $0 : "_" })
            let copy = output.appending(path: "Route\(index)_\(safe).swift")
            arguments += [file.path(percentEncoded: false), copy.path(percentEncoded: false)]
            outputs.append(copy)
        }
        return [
            .buildCommand(
                displayName: "Compiling \(routeFiles.count) routes of \(target.name)",
                executable: try context.tool(named: "NozzleRouteGenerator").url,
                arguments: arguments,
                inputFiles: routeFiles,
                outputFiles: outputs
            )
        ]
    }

    /// Every `.swift` file under `directory`, sorted so the copies' names are stable.
    func swiftFiles(under directory: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        var files: [URL] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            files.append(url.standardizedFileURL)
        }
        return files.sorted { $0.path < $1.path }
    }
}

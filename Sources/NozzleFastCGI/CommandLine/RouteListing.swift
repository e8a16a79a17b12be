import Nozzle

/// The `routes` command's table: each pattern, its methods, its file, and its body limit.
enum RouteListing {
    static func text(for app: App) -> String {
        let rows = app.routes.routes.map { route -> [String] in
            let limit = route.config.bodyParser.map { $0.sizeLimit.text } ?? "off (streamed)"
            return [route.pattern, route.allowedMethods.joined(separator: ","), route.file, limit]
        }
        let header = ["PATTERN", "METHODS", "FILE", "BODY LIMIT"]
        let all = [header] + rows
        let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(to: widths[column])
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}

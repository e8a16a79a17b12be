/// The routes of one `api/` folder, checked against each other.
public struct RouteSet: Sendable {
    /// One route file and what it gives.
    public struct Entry: Equatable, Sendable {
        /// The file, relative to the target: `api/post/[pid].swift`.
        public let file: String
        /// The URL pattern.
        public let path: RoutePath
        /// The route type and its handlers.
        public let scan: RouteSourceScan
    }

    /// The routes, sorted by pattern.
    public let entries: [Entry]

    /// Reads and checks every route file; reports every problem, not just the first.
    ///
    /// - Parameter files: each route file's path relative to the target, with its source.
    public static func compile(_ files: [(file: String, source: String)]) -> (RouteSet?, [RouteDiagnostic]) {
        var diagnostics: [RouteDiagnostic] = []
        var entries: [Entry] = []
        for (file, source) in files.sorted(by: { $0.file < $1.file }) {
            do {
                let path = try RoutePath(file: file)
                let scan = try RouteSourceScan(source: source, file: file)
                entries.append(Entry(file: file, path: path, scan: scan))
            } catch {
                diagnostics.append(error)
            }
        }
        diagnostics += clashes(entries)
        guard diagnostics.isEmpty else { return (nil, diagnostics) }
        return (RouteSet(entries: entries.sorted { $0.path.pattern < $1.path.pattern }), [])
    }

    /// Pairs of files that cannot live together.
    static func clashes(_ entries: [Entry]) -> [RouteDiagnostic] {
        var diagnostics: [RouteDiagnostic] = []
        var reported = Set<[String]>()
        func report(_ files: [String], _ message: String) {
            let key = files.sorted()
            guard reported.insert(key).inserted else { return }
            diagnostics.append(RouteDiagnostic(files: key, message: message))
        }

        // Dynamic segments at one position must agree on their name; catch-alls must not come in both kinds.
        var dynamicAt: [String: (name: String, file: String, segment: RoutePath.Segment)] = [:]
        var catchAllAt: [String: (segment: RoutePath.Segment, file: String)] = [:]
        for entry in entries {
            for (index, segment) in entry.path.segments.enumerated() {
                let prefix = entry.path.segments[..<index].map(\.shape).joined(separator: "/")
                switch segment {
                case .param(let name):
                    let key = prefix + "|param"
                    if let seen = dynamicAt[key], seen.name != name {
                        report([seen.file, entry.file], "different param names at one position: '\(seen.segment.text)' in \(seen.file) and '\(segment.text)' in \(entry.file); use one name")
                    } else if dynamicAt[key] == nil {
                        dynamicAt[key] = (name, entry.file, segment)
                    }
                case .catchAll, .optionalCatchAll:
                    if let seen = catchAllAt[prefix], seen.segment.shape != segment.shape {
                        report([seen.file, entry.file], "'\(seen.segment.text)' in \(seen.file) and '\(segment.text)' in \(entry.file) are a catch-all and an optional catch-all at one level; keep one")
                    } else if let seen = catchAllAt[prefix], seen.segment != segment {
                        report([seen.file, entry.file], "different param names at one position: '\(seen.segment.text)' in \(seen.file) and '\(segment.text)' in \(entry.file); use one name")
                    } else if catchAllAt[prefix] == nil {
                        catchAllAt[prefix] = (segment, entry.file)
                    }
                case .literal:
                    continue
                }
            }
        }

        // Two files for one URL; an optional catch-all also serves its folder's own URL.
        var owners: [String: (file: String, pattern: String)] = [:]
        for entry in entries {
            var keys = [entry.path.segments.map(\.shape).joined(separator: "/")]
            if case .optionalCatchAll = entry.path.segments.last {
                keys.append(entry.path.segments.dropLast().map(\.shape).joined(separator: "/"))
            }
            for key in keys {
                if let seen = owners[key] {
                    let url = "/" + key
                    report([seen.file, entry.file], "two files for one URL \(url): \(seen.file) and \(entry.file)")
                } else {
                    owners[key] = (entry.file, entry.path.pattern)
                }
            }
        }
        return diagnostics
    }
}

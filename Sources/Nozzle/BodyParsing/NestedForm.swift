import OrderedCollections

/// URL-encoded keys with brackets, read as the `qs` package reads them for Express's "extended"
/// parsers: `user[name]=Ada` gives `{"user":{"name":"Ada"}}`, `a[]=1&a[]=2` and `a[0]=1&a[1]=2`
/// give `{"a":["1","2"]}`.
///
/// Nesting is limited to `depth` levels; an index above `arrayLimit` makes an object key instead of
/// an array element. Every parameter is merged in time proportional to its own key, so a form
/// costs time in proportion to its size.
enum NestedForm {
    struct Options: Sendable {
        /// The deepest nesting: qs's `depth`.
        var depth: Int
        /// The highest array index: qs's `arrayLimit`.
        var arrayLimit: Int
        /// A key nested deeper than `depth` is an error (body-parser); otherwise the rest of the key
        /// is kept as one literal segment (qs, and Express's query parser).
        var strictDepth: Bool
    }

    /// A key nested deeper than allowed, with `strictDepth`.
    struct DepthExceeded: Error {}

    /// A value while the form is read, as JavaScript would hold it.
    indirect enum Value {
        case string(String)
        /// What qs sets when a plain value is merged into an object: `{value: true}`.
        case flag
        /// A possibly sparse array: holes are dropped at the end, as qs's `compact` does.
        case array(elements: [Int: Value], count: Int)
        case object(OrderedDictionary<String, Value>)
    }

    /// Reads the flat parameters of `query`, in order, into nested objects and arrays.
    static func parse(_ query: Query, _ options: Options) throws(DepthExceeded) -> JSON {
        var result = Value.object([:])
        for (key, value) in query {
            let leaf: Value
            switch value {
            case .one(let text): leaf = .string(text)
            case .many(let texts): leaf = .array(elements: Dictionary(uniqueKeysWithValues: texts.enumerated().map { ($0, .string($1)) }), count: texts.count)
            }
            let fragment = build(try segments(of: key, options), leaf: leaf, options)
            merge(&result, fragment)
        }
        return json(result)
    }

    /// `a[b][c]` as `["a", "[b]", "[c]"]`, as deep as allowed, as qs splits it: the text before the
    /// first `[...]` group, then each `[...]` group with no bracket inside, left to right.
    static func segments(of key: String, _ options: Options) throws(DepthExceeded) -> [Substring] {
        guard options.depth > 0, let first = nextGroup(in: key, from: key.startIndex) else { return [Substring(key)] }
        var segments: [Substring] = []
        if first.lowerBound > key.startIndex { segments.append(key[..<first.lowerBound]) }
        var group: Range<String.Index>? = first
        var depth = 0
        while let current = group, depth < options.depth {
            segments.append(key[current])
            depth += 1
            group = nextGroup(in: key, from: current.upperBound)
        }
        if let rest = group {
            if options.strictDepth { throw DepthExceeded() }
            segments.append(Substring("[" + key[rest.lowerBound...] + "]"))
        }
        return segments
    }

    /// The next `[...]` with no bracket inside, at or after `start`; one forward pass.
    static func nextGroup(in key: String, from start: String.Index) -> Range<String.Index>? {
        var open: String.Index?
        var index = start
        while index < key.endIndex {
            switch key[index] {
            case "[": open = index
            case "]": if let open { return open..<key.index(after: index) }
            default: break
            }
            index = key.index(after: index)
        }
        return nil
    }

    /// The nested value one parameter stands for: `a[b][0]=x` gives `{"a":{"b":["x"]}}`.
    static func build(_ segments: [Substring], leaf: Value, _ options: Options) -> Value {
        var value = leaf
        for segment in segments.reversed() {
            if segment == "[]" {
                if case .array = value { continue }
                value = .array(elements: [0: value], count: 1)
                continue
            }
            let bracketed = segment.hasPrefix("[") && segment.hasSuffix("]") && segment.count >= 2
            let name = bracketed ? String(segment.dropFirst().dropLast()) : String(segment)
            if bracketed, let index = Int(name), String(index) == name, index >= 0, index <= options.arrayLimit {
                value = .array(elements: [index: value], count: index + 1)
            } else {
                value = .object([name: value])
            }
        }
        return value
    }

    /// Merges `source` into `target` as qs's `merge` does.
    static func merge(_ target: inout Value, _ source: Value) {
        switch (target, source) {
        case (.array(var elements, var count), .string), (.array(var elements, var count), .flag):
            target = .flag  // release the array so it is changed in place
            elements[count] = source
            count += 1
            target = .array(elements: elements, count: count)
        case (.object(var fields), .string(let key)):
            target = .flag
            fields[key] = .flag
            target = .object(fields)
        case (.object, .flag):
            break
        case (.string, .string), (.string, .flag), (.flag, .string), (.flag, .flag):
            target = .array(elements: [0: target, 1: source], count: 2)
        case (.string, .array(let elements, let count)), (.flag, .array(let elements, let count)):
            // [target].concat(source): the source's elements after it, holes and all.
            var shifted: [Int: Value] = [0: target]
            for (index, element) in elements { shifted[index + 1] = element }
            target = .array(elements: shifted, count: count + 1)
        case (.string, .object), (.flag, .object):
            target = .array(elements: [0: target, 1: source], count: 2)
        case (.array(var elements, var count), .array(let sourceElements, _)):
            target = .flag
            for index in sourceElements.keys.sorted() {
                let item = sourceElements[index]!
                if var existing = elements[index] {
                    if existing.isContainer && item.isContainer {
                        elements[index] = .flag
                        merge(&existing, item)
                        elements[index] = existing
                    } else {
                        elements[count] = item
                        count += 1
                    }
                } else {
                    elements[index] = item
                    count = max(count, index + 1)
                }
            }
            target = .array(elements: elements, count: count)
        case (.array(let elements, _), .object):
            // An array meets a named key: it becomes an object keyed by its indices.
            var fields = OrderedDictionary<String, Value>()
            for index in elements.keys.sorted() { fields[String(index)] = elements[index] }
            target = .object(fields)
            merge(&target, source)
        case (.object(var fields), .array(let elements, _)):
            target = .flag
            for index in elements.keys.sorted() { mergeField(&fields, String(index), elements[index]!) }
            target = .object(fields)
        case (.object(var fields), .object(let sourceFields)):
            target = .flag
            for (key, value) in sourceFields { mergeField(&fields, key, value) }
            target = .object(fields)
        }
    }

    private static func mergeField(_ fields: inout OrderedDictionary<String, Value>, _ key: String, _ value: Value) {
        guard let index = fields.index(forKey: key) else {
            fields[key] = value
            return
        }
        var existing = fields.values[index]
        fields.values[index] = .flag
        merge(&existing, value)
        fields.values[index] = existing
    }

    /// The finished value as JSON, with arrays compacted.
    static func json(_ value: Value) -> JSON {
        switch value {
        case .string(let text): .string(text)
        case .flag: .bool(true)
        case .array(let elements, _): .array(elements.keys.sorted().map { json(elements[$0]!) })
        case .object(let fields): .object(JSONObject(fields.lazy.map { ($0.key, json($0.value)) }))
        }
    }
}

extension NestedForm.Value {
    var isContainer: Bool {
        switch self {
        case .array, .object: true
        case .string, .flag: false
        }
    }
}

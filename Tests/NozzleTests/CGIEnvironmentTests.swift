@testable import Nozzle
import Testing

/// The variables every request reads, noted as an environment is built instead of found by a scan.
struct CGIEnvironmentTests {
    @Test func everyKnownNameIsFoundAsItselfAndNothingElseIs() {
        // Each has a slot among 16.
        #expect(CGIEnvironment.Known.allCases.count <= 16)
        for variable in CGIEnvironment.Known.allCases {
            var name = variable.name.description
            #expect(name.withUTF8 { CGIEnvironment.Known(named: $0) } == variable, "\(name)")
            // The same length with any one byte changed is not the variable.
            for index in name.utf8.indices {
                var bytes = Array(name.utf8)
                let offset = name.utf8.distance(from: name.utf8.startIndex, to: index)
                bytes[offset] ^= 0x20
                #expect(bytes.withUnsafeBufferPointer { CGIEnvironment.Known(named: $0) } == nil, "\(String(decoding: bytes, as: UTF8.self))")
            }
            name += "X"
            #expect(name.withUTF8 { CGIEnvironment.Known(named: $0) } == nil)
        }
    }

    /// Only the first 255 variables' places are noted: a known variable past them is found by a
    /// scan, and one that is missing is still missing.
    @Test func knownVariablesPastTheFirst255AreFoundAll() {
        var variables: [String: String] = [:]
        // Sorted by name, these 300 come before the known ones.
        for index in 0..<300 { variables["A\(1000 + index)"] = "\(index)" }
        variables["HTTPS"] = "on"
        variables["REQUEST_METHOD"] = "PATCH"
        let environment = CGIEnvironment(variables)
        #expect(environment[.https] == "on")
        #expect(environment["HTTPS"] == "on")
        #expect(environment[.requestMethod] == "PATCH")
        #expect(environment[.pathInfo] == nil)
        #expect(environment["PATH_INFO"] == nil)
        #expect(environment["A1299"] == "299")
    }

    @Test func knownVariablesReadTheSameFromADictionary() {
        let environment = CGIEnvironment(["REQUEST_METHOD": "PUT", "SCRIPT_NAME": "/api/x", "HTTP_HOST": "example.com", "HTTPS": ""])
        #expect(environment[.requestMethod] == "PUT")
        #expect(environment["REQUEST_METHOD"] == "PUT")
        #expect(environment[.scriptName] == "/api/x")
        #expect(environment[.https] == "")
        #expect(environment[.pathInfo] == nil)
        #expect(environment["HTTP_HOST"] == "example.com")
        #expect(environment.dictionary == ["REQUEST_METHOD": "PUT", "SCRIPT_NAME": "/api/x", "HTTP_HOST": "example.com", "HTTPS": ""])
    }
}

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

import Nozzle
import Testing

struct JSONTests {
    @Test(arguments: [
        #"{"a":1,"b":[true,false,null],"c":"x\"y","d":1.5}"#,
        #"[]"#, #"{}"#, #""\u00e9\n""#, #"-0.25"#, #"[1,[2,[3]]]"#,
    ])
    func roundTrips(text: String) throws {
        let value = try JSON(parsing: text)
        #expect(try JSON(parsing: value.text) == value)
    }

    @Test func keepsKeyOrder() throws {
        #expect(try JSON(parsing: #"{"z":1,"a":2}"#).text == #"{"z":1,"a":2}"#)
    }

    @Test(arguments: [
        (#"{"a":}"#, 5), (#"[1,2"#, 4), (#"{"a" 1}"#, 5), (#"tru"#, 0), (#"[1] x"#, 4),
    ])
    func reportsWhereItFailed(text: String, position: Int) {
        #expect(throws: JSONParseError.self) { try JSON(parsing: text) }
        do {
            _ = try JSON(parsing: text)
        } catch {
            #expect(error.position == position)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON(parsing: text) }
    }

    @Test func escapesControlCharacters() {
        #expect(JSON.string("a\u{1}b\n").text == #""a\u0001b\n""#)
    }
}

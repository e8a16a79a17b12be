import NozzleFastCGI
import Testing

struct CommandLineOptionTests {
    @Test func takesTheOptionAndLeavesTheRestInOrder() {
        var arguments = ["--listen", "unix:/run/app.sock", "--database", "/data/users.sqlite", "--processes", "2"]
        #expect(CommandLineOption.take("--database", from: &arguments) == "/data/users.sqlite")
        #expect(arguments == ["--listen", "unix:/run/app.sock", "--processes", "2"])
    }

    @Test func equalsFormAndRepeatsTheLastWins() {
        var arguments = ["--database=a.sqlite", "serve", "--database", "b.sqlite"]
        #expect(CommandLineOption.take("--database", from: &arguments) == "b.sqlite")
        #expect(arguments == ["serve"])
    }

    @Test func absentOrWithoutAValueIsNil() {
        var absent = ["--listen", ":9000"]
        #expect(CommandLineOption.take("--database", from: &absent) == nil)
        #expect(absent == ["--listen", ":9000"])
        // A trailing option with no value stays, so that the usual option parser reports it.
        var dangling = ["--listen", ":9000", "--database"]
        #expect(CommandLineOption.take("--database", from: &dangling) == nil)
        #expect(dangling == ["--listen", ":9000", "--database"])
        // Another option that only starts the same way is not taken.
        var similar = ["--database-mode", "x"]
        #expect(CommandLineOption.take("--database", from: &similar) == nil)
        #expect(similar == ["--database-mode", "x"])
    }
}

import Testing
@testable import users

struct DatabaseCircuitTests {
    @Test func theFirstFailureOpensItAndOnlyARecoveryClosesIt() {
        var circuit = DatabaseCircuit()
        #expect(circuit.refusal == nil)
        let earlyRecovery = circuit.recovered(at: 1)
        #expect(earlyRecovery == nil, "closed already: nothing to report")
        let opened = circuit.failed(reason: "no answer within 2 seconds", at: 10)
        #expect(opened)
        #expect(circuit.refusal == "no answer within 2 seconds")
        // Later failures while open change nothing: one log line and one prober per outage.
        let openedAgain = circuit.failed(reason: "connection refused", at: 11)
        #expect(!openedAgain)
        #expect(circuit.refusal == "no answer within 2 seconds")
        let outage = circuit.recovered(at: 13.5)
        #expect(outage == 3.5)
        #expect(circuit.refusal == nil)
        let nextOutage = circuit.failed(reason: "connection refused", at: 20)
        #expect(nextOutage)
    }
}

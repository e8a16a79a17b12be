@testable import NozzleFastCGI
import Testing

/// Which worker threads wait in the event set: one per core, the others resting until every
/// seated thread has been busy for a whole look of the control loop.
struct EventSetSeatsTests {
    @Test func threadsPastTheSeatsRestAndSeatedOnesComeBackWithoutWakingThem() {
        var seats = EventSetSeats(seats: 2)
        #expect([seats.arrive(), seats.arrive(), seats.arrive(), seats.arrive()] == [.wait, .wait, .rest, .rest])
        #expect(seats.seated == 2 && seats.resting == 2)
        // Busy traffic: seated threads leave for an event and come back, again and again; between
        // two looks some always arrive, so nobody is woken, even when both happen to be away.
        for _ in 0..<100 {
            seats.depart()
            seats.depart()
            #expect(seats.arrive() == .wait)
            #expect(seats.arrive() == .wait)
        }
        #expect(seats.look() == .init(wakeOne: false, soon: true))
        // Quiet: both seated threads wait, nothing arrives; the control loop may look rarely.
        #expect(seats.look() == .init(wakeOne: false, soon: false))
        #expect(seats.resting == 2)
    }

    @Test func whenEverySeatedThreadStaysBusyOneLookLaterAResterIsWoken() {
        var seats = EventSetSeats(seats: 2)
        for _ in 0..<4 { _ = seats.arrive() }
        _ = seats.look()
        // Two long handlers take both seated threads.
        seats.depart()
        seats.depart()
        // The first look after they left may come at once: it wakes one, since nobody arrived.
        #expect(seats.look() == .init(wakeOne: true, soon: true))
        #expect(seats.resting == 1)
        // The woken thread takes a free seat, and is not turned away to rest again.
        #expect(seats.arrive() == .wait)
        // It gets an event too and stays busy. Its arrival was news to the next look; the look
        // after that, with no arrival between, wakes the last rester.
        seats.depart()
        #expect(seats.look() == .init(wakeOne: false, soon: true))
        #expect(seats.look() == .init(wakeOne: true, soon: true))
        #expect(seats.arrive() == .wait)
        seats.depart()
        _ = seats.look()
        // Nobody is left to wake, however long they all stay busy.
        #expect(seats.look() == .init(wakeOne: false, soon: true))
        #expect(seats.resting == 0)
        // Handlers finish: threads come back up to the seats, the rest go back to resting.
        #expect([seats.arrive(), seats.arrive(), seats.arrive(), seats.arrive()] == [.wait, .wait, .rest, .rest])
    }

    @Test func aSeatedThreadThatArrivedSinceTheLastLookIsNotStuck() {
        var seats = EventSetSeats(seats: 1)
        #expect(seats.arrive() == .wait)
        #expect(seats.arrive() == .rest)
        _ = seats.look()
        seats.depart()
        #expect(seats.arrive() == .wait)
        seats.depart()
        // None seated at the look, but one arrived since the last: it has been busy less than a look.
        #expect(seats.look() == .init(wakeOne: false, soon: true))
        #expect(seats.look() == .init(wakeOne: true, soon: true))
    }

    @Test func thereIsAlwaysASeat() {
        var seats = EventSetSeats(seats: 0)
        #expect(seats.seats == 1)
        #expect([seats.arrive(), seats.arrive()] == [.wait, .rest])
    }

    @Test func leavingWakesEveryResterAndNoneRestsAgain() {
        var seats = EventSetSeats(seats: 1)
        for _ in 0..<3 { _ = seats.arrive() }
        #expect(seats.leave() == 2)
        #expect(seats.resting == 0)
        #expect([seats.arrive(), seats.arrive()] == [.wait, .wait])
        #expect(seats.look().wakeOne == false)
    }
}

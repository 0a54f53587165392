import XCTest
@testable import WAIModel

final class WeightingTests: XCTestCase {
    func testNormalizedWeightsRunFromZeroToOne() {
        // (i-1)/(k-1) for k = 5: 0/4, 1/4, 2/4, 3/4, 4/4.
        XCTAssertEqual(Weighting.normalized.weights(levelCount: 5), [0, 0.25, 0.5, 0.75, 1])
        // k = 7: steps of 1/6.
        let seven = Weighting.normalized.weights(levelCount: 7)
        XCTAssertEqual(seven.count, 7)
        XCTAssertEqual(seven[1], 1.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(seven[6], 1)
    }

    func testProportionalWeightsStartAtOneOverK() {
        // i/k for k = 5: .2 .4 .6 .8 1.
        let weights = Weighting.proportional.weights(levelCount: 5)
        for (w, expected) in zip(weights, [0.2, 0.4, 0.6, 0.8, 1.0]) {
            XCTAssertEqual(w, expected, accuracy: 1e-15)
        }
    }

    func testExplicitWeightsAreTakenAsGiven() {
        XCTAssertEqual(Weighting.explicit([-2, -1, 0, 1, 2]).weights(levelCount: 5), [-2, -1, 0, 1, 2])
    }
}

import XCTest
@testable import Plotting

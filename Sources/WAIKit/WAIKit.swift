// One import for a Swift script or program: every stage of wai's data flow.
@_exported import WAIModel
@_exported import WAIIO
@_exported import WAIStats
@_exported import WAIReport

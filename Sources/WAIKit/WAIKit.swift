// One import for a Swift script or program: every stage of wai's data flow,
// read -> aggregate -> estimate -> report, and the pipeline that runs them.
@_exported import WAIModel
@_exported import WAIRead
@_exported import WAIAggregate
@_exported import WAIEstimate
@_exported import WAIReport
@_exported import WAIPipeline

/// `AtomicFile`, the one way the project writes a file, is part of this library's interface: everything that saves
/// results, models or tables through UnKD writes them the same way.
@_exported import AtomicWrite

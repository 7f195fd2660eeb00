// The plotting library is built in its own change; this file marks the module.

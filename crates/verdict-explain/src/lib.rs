//! Explain an AccessDenied: rebuild the request, evaluate it, and propose verified fixes.

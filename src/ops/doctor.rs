//! `perch doctor`: what can be checked from the machine itself.

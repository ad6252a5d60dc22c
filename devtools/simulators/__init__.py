"""Local stand-ins for external systems (an LRS, the MOOC export API, a unified LMS API), used by tests and the demo."""

"""Pages of the reviews layer, one module per idea: `reviews` (the meeting and its findings),
`actions`, `initiatives` (with their milestones) and `notifications`."""

"""Simulated 双公示 credit publicity platform (信用网站): receives and publishes administrative-penalty records."""

VolumeSlider(g) => g.Add("Slider", "vVol", 7)

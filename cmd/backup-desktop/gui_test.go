package main

import "testing"

func TestGUIArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want guiOptions
		gui  bool
	}{
		{"no arguments", nil, guiOptions{}, true},
		{"config", []string{"--config", "/x/s.json"}, guiOptions{config: "/x/s.json"}, true},
		{"config=", []string{"--config=/x/s.json"}, guiOptions{config: "/x/s.json"}, true},
		{"start at login", []string{"--config", "/x/s.json", "--hidden"}, guiOptions{config: "/x/s.json", hidden: true}, true},
		{"command", []string{"list"}, guiOptions{}, false},
		{"config and command", []string{"--config", "/x", "status"}, guiOptions{}, false},
		{"config without value", []string{"--config"}, guiOptions{}, false},
		{"help", []string{"--help"}, guiOptions{}, false},
		{"version", []string{"--version"}, guiOptions{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, gui := guiArgs(tt.args)
			if gui != tt.gui || (gui && got != tt.want) {
				t.Errorf("guiArgs(%q) = %+v, %v; want %+v, %v", tt.args, got, gui, tt.want, tt.gui)
			}
		})
	}
}

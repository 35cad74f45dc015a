<#
.SYNOPSIS
    Registers the "InventoryManagementBackup" task in Windows Task Scheduler,
    which checks every day at 2:00 AM whether a backup is due and makes it.

.DESCRIPTION
    The task runs "backup-desktop.exe --config <settings> run-scheduled-backup"
    daily at 2:00 AM. Backup Desktop then decides from your settings whether a
    backup is due (daily, weekly on Sundays, or monthly on the 1st) and makes
    it; otherwise it does nothing. The task:
      - runs whether you are logged on or not,
      - runs as soon as possible after a start was missed (computer off),
      - runs on battery power,
      - can be started by hand ("Run" in Task Scheduler),
      - never starts a second copy while one is running.

    Running the script again replaces the task. "backup-desktop schedule install"
    registers the same task; "backup-desktop schedule remove" (or
    Unregister-ScheduledTask -TaskName InventoryManagementBackup) removes it.

    Without -Credential the task runs without storing your password (logon
    type S4U): it can read local folders and reach the database server, but
    not Windows file shares. If your backup folder is on a network share, pass
    -Credential (Get-Credential) so the task runs with your stored password.

.PARAMETER ExePath
    Full path of backup-desktop.exe. Default: backup-desktop.exe next to this
    script, or the one found on the PATH.

.PARAMETER ConfigPath
    Full path of the settings file. Default: $env:BACKUP_DESKTOP_CONFIG if set,
    otherwise %APPDATA%\backup-desktop\settings.json (where the app saves it).

.PARAMETER At
    Time of day for the daily check, 24-hour "HH:mm". Default: 02:00.

.PARAMETER Credential
    Optional. Run the task with this account's stored password (needed for a
    backup folder on a network share).

.EXAMPLE
    .\setup_backup_schedule.ps1

.EXAMPLE
    .\setup_backup_schedule.ps1 -ExePath "C:\Program Files\Backup Desktop\backup-desktop.exe" -ConfigPath "D:\ims\settings.json"

.EXAMPLE
    .\setup_backup_schedule.ps1 -Credential (Get-Credential)
#>
[CmdletBinding()]
param(
    [string]$ExePath,
    [string]$ConfigPath,
    [ValidatePattern('^([01][0-9]|2[0-3]):[0-5][0-9]$')]
    [string]$At = '02:00',
    [System.Management.Automation.PSCredential]$Credential
)

$ErrorActionPreference = 'Stop'
$TaskName = 'InventoryManagementBackup'

if (-not $ExePath) {
    $nextToScript = Join-Path $PSScriptRoot 'backup-desktop.exe'
    if (Test-Path -LiteralPath $nextToScript -PathType Leaf) {
        $ExePath = $nextToScript
    } else {
        $onPath = Get-Command 'backup-desktop.exe' -ErrorAction SilentlyContinue
        if ($onPath) { $ExePath = $onPath.Source }
    }
}
if (-not $ExePath -or -not (Test-Path -LiteralPath $ExePath -PathType Leaf)) {
    throw "backup-desktop.exe was not found. Pass its full path: .\setup_backup_schedule.ps1 -ExePath 'C:\path\to\backup-desktop.exe'"
}
$ExePath = (Resolve-Path -LiteralPath $ExePath).Path

if (-not $ConfigPath) {
    if ($env:BACKUP_DESKTOP_CONFIG) {
        $ConfigPath = $env:BACKUP_DESKTOP_CONFIG
    } else {
        $ConfigPath = Join-Path $env:APPDATA 'backup-desktop\settings.json'
    }
}
if (-not (Test-Path -LiteralPath $ConfigPath -PathType Leaf)) {
    throw "The settings file '$ConfigPath' does not exist. Open Backup Desktop, fill in 'Configure Backup Settings' and save, or pass -ConfigPath with the path of your settings file."
}
$ConfigPath = (Resolve-Path -LiteralPath $ConfigPath).Path

# Same action as "backup-desktop schedule install": paths with spaces are
# quoted, as Task Scheduler's own dialog writes them.
$program = $ExePath
if ($program.Contains(' ')) { $program = '"{0}"' -f $program }
$action = New-ScheduledTaskAction -Execute $program `
    -Argument ('--config "{0}" run-scheduled-backup' -f $ConfigPath) `
    -WorkingDirectory (Split-Path -Parent $ExePath)

$trigger = New-ScheduledTaskTrigger -Daily -At ([datetime]::ParseExact($At, 'HH:mm', $null))

$settings = New-ScheduledTaskSettingsSet `
    -StartWhenAvailable `
    -AllowStartIfOnBatteries `
    -DontStopIfGoingOnBatteries `
    -MultipleInstances IgnoreNew `
    -ExecutionTimeLimit (New-TimeSpan -Hours 72)
$settings.AllowDemandStart = $true

$description = 'Backup Desktop: makes the scheduled backup of the Inventory Management System when one is due (run-scheduled-backup).'

if ($Credential) {
    # Logon type "Password": runs whether the user is logged on or not, with
    # the stored password, so network shares are reachable.
    Register-ScheduledTask -TaskName $TaskName -Description $description `
        -Action $action -Trigger $trigger -Settings $settings `
        -User $Credential.UserName -Password $Credential.GetNetworkCredential().Password `
        -RunLevel Limited -Force | Out-Null
} else {
    # Logon type "S4U": runs whether the user is logged on or not, without a
    # stored password.
    $principal = New-ScheduledTaskPrincipal -UserId "$env:USERDOMAIN\$env:USERNAME" `
        -LogonType S4U -RunLevel Limited
    Register-ScheduledTask -TaskName $TaskName -Description $description `
        -Action $action -Trigger $trigger -Settings $settings `
        -Principal $principal -Force | Out-Null
}

Write-Host "Scheduled task '$TaskName' registered: every day at $At it runs"
Write-Host "  `"$ExePath`" --config `"$ConfigPath`" run-scheduled-backup"
Write-Host "Check it in Task Scheduler, or start it now with: Start-ScheduledTask -TaskName $TaskName"
Write-Host "See whether backups are running with: backup-desktop status"

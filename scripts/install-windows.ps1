<#
.SYNOPSIS
    Install MedPay for Excel on Windows: a Python environment with medpay in it, the
    MedPay add-in (workbooks\MedPay.xlam) loaded by Excel, and the add-in's settings file.

.DESCRIPTION
    Run from the MedPay folder (a copy of the repository), in PowerShell, as yourself
    (no administrator rights needed):

        powershell -ExecutionPolicy Bypass -File scripts\install-windows.ps1

    What it does (docs\excel-install.md explains each step):
      1. finds Python 3.11 or later (the "py" launcher, else "python" on the PATH);
      2. creates the environment %LOCALAPPDATA%\MedPay\venv and installs medpay into it,
         with the xlwings version the add-in was built with;
      3. copies MedPay.xlam to %APPDATA%\Microsoft\AddIns, unblocks it (a downloaded file
         is blocked by Windows) and registers it so Excel loads it when it starts;
      4. writes %USERPROFILE%\.medpay\medpay.conf, the settings file the add-in reads:
         which Python to run, and the pay-ranges workbook and frameworks folder if given.
    Run it again to update MedPay: every step replaces what the last run did.

.PARAMETER Python
    The python.exe to build the environment with (default: found as above).
.PARAMETER PayRanges
    Your organisation's pay-ranges workbook (default: the one shipped with MedPay).
.PARAMETER Frameworks
    A folder of framework workbooks (default: the ones shipped with MedPay).
.PARAMETER Venv
    Where to create the environment (default: %LOCALAPPDATA%\MedPay\venv).
#>
[CmdletBinding()]
param(
    [string]$Python = "",
    [string]$PayRanges = "",
    [string]$Frameworks = "",
    [string]$Venv = (Join-Path $env:LOCALAPPDATA "MedPay\venv")
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version 3

# The xlwings version the add-in's VBA was built with (its module declares the xlwings DLL
# of exactly this version; tests/test_install_windows.py checks the two agree).
$XlwingsVersion = "0.37.8"
$MinimumPython = [version]"3.11"

$Root = Split-Path -Parent $PSScriptRoot          # the MedPay folder (scripts\..)
$AddinSource = Join-Path $Root "workbooks\MedPay.xlam"
$AddinsFolder = Join-Path $env:APPDATA "Microsoft\AddIns"
$AddinTarget = Join-Path $AddinsFolder "MedPay.xlam"
$ConfFolder = Join-Path $env:USERPROFILE ".medpay"
$ConfFile = Join-Path $ConfFolder "medpay.conf"

function Step([string]$text) { Write-Host "==> $text" -ForegroundColor Cyan }
function Fail([string]$text) { Write-Host "MedPay install: $text" -ForegroundColor Red; exit 1 }

if (-not (Test-Path (Join-Path $Root "pyproject.toml"))) {
    Fail "run this script from the MedPay folder's scripts folder ($Root has no pyproject.toml)."
}
if (-not (Test-Path $AddinSource)) { Fail "$AddinSource is missing." }
if (Get-Process -Name EXCEL -ErrorAction SilentlyContinue) {
    Fail "Excel is running: close every Excel window (Excel rewrites its add-in list when it closes), then run this again."
}
if ($PayRanges -and -not (Test-Path $PayRanges -PathType Leaf)) { Fail "no pay-ranges workbook at $PayRanges." }
if ($Frameworks -and -not (Test-Path $Frameworks -PathType Container)) { Fail "no frameworks folder at $Frameworks." }

# --- 1. Python -----------------------------------------------------------------------
Step "Finding Python $MinimumPython or later"
function PythonVersion([string]$exe, [string[]]$pre) {
    try {
        $text = & $exe @pre -c "import sys; print('%d.%d' % sys.version_info[:2])" 2>$null
        if ($LASTEXITCODE -eq 0 -and $text) { return [version]($text.Trim()) }
    } catch { }
    return $null
}
$pythonExe = $null; $pythonArgs = @()
if ($Python) {
    $pythonExe = $Python
} elseif (Get-Command py -ErrorAction SilentlyContinue) {
    $pythonExe = "py"; $pythonArgs = @("-3")
} elseif (Get-Command python -ErrorAction SilentlyContinue) {
    $pythonExe = "python"
}
if (-not $pythonExe) { Fail "no Python found: install Python $MinimumPython or later from python.org (tick 'Add python.exe to PATH'), then run this again." }
$found = PythonVersion $pythonExe $pythonArgs
if (-not $found -or $found -lt $MinimumPython) {
    Fail "Python $MinimumPython or later is needed; '$pythonExe $pythonArgs' is $found. Install a newer Python or give -Python C:\path\to\python.exe."
}
Write-Host "    Python $found ($pythonExe $pythonArgs)"

# --- 2. The environment --------------------------------------------------------------
Step "Creating the Python environment $Venv"
if (-not (Test-Path (Join-Path $Venv "Scripts\python.exe"))) {
    & $pythonExe @pythonArgs -m venv $Venv
    if ($LASTEXITCODE -ne 0) { Fail "could not create the environment $Venv." }
}
$VenvPython = Join-Path $Venv "Scripts\python.exe"
$VenvPythonw = Join-Path $Venv "Scripts\pythonw.exe"

Step "Installing medpay and xlwings $XlwingsVersion into it (a few minutes)"
& $VenvPython -m pip install --disable-pip-version-check --upgrade pip
& $VenvPython -m pip install --disable-pip-version-check --upgrade "$Root" "xlwings==$XlwingsVersion"
if ($LASTEXITCODE -ne 0) { Fail "pip could not install medpay (see the messages above)." }
& $VenvPython -c "import addin.excel.xlwings_udfs, addin.excel.xlwings_buttons"
if ($LASTEXITCODE -ne 0) { Fail "medpay is installed but its Excel modules do not import (see above)." }

# --- 3. The add-in -------------------------------------------------------------------
Step "Installing the add-in into $AddinsFolder"
New-Item -ItemType Directory -Force -Path $AddinsFolder | Out-Null
try {
    Copy-Item -Force $AddinSource $AddinTarget
} catch {
    Fail "could not copy MedPay.xlam to $AddinsFolder - close Excel and run this again."
}
# a file downloaded from the internet carries a "Mark of the Web": Excel then blocks its macros
Unblock-File -Path $AddinTarget

# Excel loads the add-ins listed as OPEN, OPEN1, OPEN2... under its Options key (one per
# installed Office version); /R opens it read-only, as the Add-ins dialog does.
$registered = $false
foreach ($office in Get-ChildItem "HKCU:\Software\Microsoft\Office" -ErrorAction SilentlyContinue) {
    $options = Join-Path $office.PSPath "Excel\Options"
    if (-not (Test-Path $options)) { continue }
    $values = Get-ItemProperty -Path $options
    $names = @($values.PSObject.Properties | Where-Object { $_.Name -match '^OPEN\d*$' })
    $already = $names | Where-Object { "$($_.Value)" -like "*MedPay.xlam*" }
    if ($already) {
        foreach ($entry in $already) { Set-ItemProperty -Path $options -Name $entry.Name -Value "/R `"$AddinTarget`"" }
    } else {
        $n = 0
        $taken = @($names | ForEach-Object { $_.Name })
        while ($taken -contains $(if ($n -eq 0) { "OPEN" } else { "OPEN$n" })) { $n++ }
        $name = if ($n -eq 0) { "OPEN" } else { "OPEN$n" }
        New-ItemProperty -Path $options -Name $name -Value "/R `"$AddinTarget`"" -PropertyType String -Force | Out-Null
    }
    $registered = $true
    Write-Host "    registered with Excel $($office.PSChildName)"
}
if (-not $registered) {
    Write-Host "    Excel has not been started on this account yet: start it once, then run this again" -ForegroundColor Yellow
    Write-Host "    (or in Excel: File > Options > Add-ins > Manage Excel Add-ins > Go > Browse > $AddinTarget)." -ForegroundColor Yellow
}

# --- 4. The settings file ------------------------------------------------------------
Step "Writing the settings $ConfFile"
New-Item -ItemType Directory -Force -Path $ConfFolder | Out-Null
# xlwings reads "KEY","value" lines (VBA Input #: the Windows ANSI code page)
function ConfLine([string]$key, [string]$value) { return '"{0}","{1}"' -f $key, $value }
$lines = @(
    (ConfLine "INTERPRETER_WIN" $VenvPythonw),
    (ConfLine "UDF MODULES" "addin.excel.xlwings_udfs")
)
if ($PayRanges) { $lines += ConfLine "MEDPAY_PAY_RANGES" (Resolve-Path $PayRanges).Path }
if ($Frameworks) { $lines += ConfLine "MEDPAY_FRAMEWORKS" (Resolve-Path $Frameworks).Path }
$ansi = [System.Text.Encoding]::GetEncoding([System.Globalization.CultureInfo]::CurrentCulture.TextInfo.ANSICodePage)
[System.IO.File]::WriteAllLines($ConfFile, [string[]]$lines, $ansi)

Write-Host ""
Write-Host "MedPay is installed. Start (or restart) Excel: the MedPay tab is on the ribbon." -ForegroundColor Green
Write-Host "Try it on $(Join-Path $Root 'workbooks\MedPay demo.xlsm'); the MedPay > Settings button shows what it uses."

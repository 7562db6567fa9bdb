/** The page: header, notices, model, experiment controls, live progress and results. */
import { useEffect } from 'react';
import { boot } from './engine/lab';
import { BaselineCard } from './components/BaselineCard';
import { ClassifierReport } from './components/ClassifierReport';
import { GenerationPanel } from './components/GenerationPanel';
import { DropZone } from './components/DropZone';
import { EvalOptions } from './components/EvalOptions';
import { MethodPicker } from './components/MethodPicker';
import { ModelCard } from './components/ModelCard';
import { Notices } from './components/Notices';
import { OpenModel } from './components/OpenModel';
import { TokenizerPicker } from './components/TokenizerPicker';
import { PplChart } from './components/PplChart';
import { ProgressList } from './components/ProgressList';
import { ExportList } from './components/ExportList';
import { ResultsTable } from './components/ResultsTable';
import { RunControls } from './components/RunControls';
import { ShareSetup } from './components/ShareSetup';
import { StudyPanels } from './panels/StudyPanels';
import { PresentButton } from './panels/PresentMode';
import { ThroughputChart } from './components/ThroughputChart';
import { WebGpuNotice } from './components/WebGpuNotice';
import { StorageNotice } from './components/StorageNotice';
import { CapabilityLine } from './components/CapabilityLine';
import { MemoryFigure } from './components/MemoryFigure';

let booted = false;

export function App() {
  useEffect(() => {
    // Once per page, also under StrictMode's double effects.
    if (booted) return;
    booted = true;
    void boot();
  }, []);
  return (
    <>
      <DropZone />
      <header>
        <h1>Compression Lab</h1>
        <CapabilityLine />
        <OpenModel />
        <PresentButton />
      </header>
      <WebGpuNotice />
      <StorageNotice />
      <Notices />
      <TokenizerPicker />
      <main>
        <div className="col">
          <ModelCard />
          <section className="card controls">
            <h2>Experiment</h2>
            <MethodPicker />
            <EvalOptions />
            <RunControls />
            <ShareSetup />
          </section>
          <ProgressList />
          <ExportList />
          <MemoryFigure />
        </div>
        <div className="col wide">
          <ClassifierReport />
          <BaselineCard />
          <PplChart />
          <ThroughputChart />
          <GenerationPanel />
        </div>
      </main>
      <StudyPanels />
      <ResultsTable />
      <footer className="muted small">Everything runs in this tab: no model or text leaves the machine. Drop a model folder anywhere on the page.</footer>
    </>
  );
}

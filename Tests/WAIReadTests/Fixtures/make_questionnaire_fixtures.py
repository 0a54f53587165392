# Writes the mixed-scale questionnaire fixtures (Qualtrics legacy and two-row layouts, plain numeric codes):
# 8 five-point degree items beside a 4-item agreement grid whose fourth item is reverse-worded, "Don't know",
# blanks, a multi-select, free text and a gender question with "Prefer not to say" and "Other".
import csv, random, io
random.seed(15)
import os
F=os.path.dirname(os.path.abspath(__file__))+'/'
deg=["Very Low","Low","Medium","High","Very High"]
agr=["Strongly disagree","Disagree","Neither agree nor disagree","Agree","Strongly agree"]
inst=["the village chief","the commune council","the police","the courts","the health centre","the school","the NGOs","the media"]
stm=["The roads are safe","The water is clean","Officials listen to us","I feel safe at night"]
N=20
def rows():
    out=[]
    for r in range(N):
        trust=random.randint(0,4)
        d=[deg[min(4,max(0,trust+random.choice([-1,0,0,1])))] for _ in range(8)]
        if r%7==3: d[r%8]=""
        a=[]
        latent=random.randint(0,4)
        for j in range(4):
            level=min(4,max(0,latent+random.choice([-1,0,0,1])))
            x=agr[4-level if j==3 else level]
            if (r*3+j)%11==0: x="Don't know"
            if (r+j)%9==4: x=""
            a.append(x)
        # item 4 of the grid is reverse-worded: high when others are low
        ms=random.choice(["Water","Water,Roads","Health,Water,Roads","","Roads"])
        ft=["More buses please","The clinic is far from here","Fix the bridge near the market","Thank you","Nothing to add","The teacher is often absent","Water tastes of iron","Police came quickly","Too many questions","Street lights, please"][r//2] if r%2 else ""
        g=random.choice(["Female","Male","Female","Male","Prefer not to say","Other"])
        out.append((d,a,ms,ft,g))
    return out
data=rows()
dtext=[f"How much do you trust {x}?" for x in inst]
grid="How much do you agree with the following statements about your village?"
def write(name, header, textrow, importrow, meta):
    s=io.StringIO(); w=csv.writer(s, lineterminator="\r\n")
    w.writerow(header); w.writerow(textrow)
    if importrow: w.writerow(importrow)
    for r,(d,a,ms,ft,g) in enumerate(data):
        w.writerow(meta(r)+d+a+[ms,ft,g])
    open(F+name,'w',newline='').write(s.getvalue())
qcols=[f"Q{i}" for i in range(1,9)]+[f"Q9_{j}" for j in range(1,5)]+["Q10","Q11","Q12"]
qtext=dtext+[f"{grid} - {x}" for x in stm]+["Which services did you use? Select all that apply.","Anything else you would like to tell us?","What is your gender?"]
legmeta=["ResponseID","ResponseSet","Name","ExternalDataReference","EmailAddress","IPAddress","Status","StartDate","EndDate","Finished"]
write("qualtrics_legacy.csv",[f"V{i}" for i in range(1,11)]+qcols, legmeta+qtext, None,
      lambda r:[f"R_{r:03d}legacyAbC","Default Response Set","Anonymous","","","203.0.113.%d"%r,"0","2016-03-0%d 10:00:00"%(r%9+1),"2016-03-0%d 10:09:00"%(r%9+1),"1"])
newmeta=["StartDate","EndDate","Status","IPAddress","Progress","Duration (in seconds)","Finished","RecordedDate","ResponseId"]
newtext=["Start Date","End Date","Response Type","IP Address","Progress","Duration (in seconds)","Finished","Recorded Date","Response ID"]
write("qualtrics_two_rows.csv",newmeta+qcols,newtext+qtext,None,
      lambda r:["2024-05-01 09:00:00","2024-05-01 09:08:00","IP Address","198.51.100.%d"%r,"100",str(400+r*7),"True","2024-05-01 09:08:00",f"R_{r:03d}twoRowsXy"])
# plain numeric codes
s=io.StringIO(); w=csv.writer(s, lineterminator="\n")
w.writerow(["id","age","vote","education","trust1","trust2","trust3","trust4","lr_self","lr_party","lr_gov","partyid","sat_a","sat_b"])
for r in range(24):
    base=random.randint(2,6)
    t=[min(6,max(2,base+random.choice([-1,0,0,1]))) for _ in range(4)]
    if r==5: t[1]=99
    if r==9: t[2]=-9
    if r==11: t[0]=""
    pl=[random.randint(1,7) for _ in range(3)]
    w.writerow([1001+r, random.randint(18,80), r%2 if r!=7 else 1, random.randint(1,4)]+t+pl+[random.randint(0,6), random.randint(1,4), random.choice([1,2,3,4,5,5,98])])
open(F+"numeric_codes.csv",'w',newline='').write(s.getvalue())

# LimeSurvey: responses with answer codes as headings ("Question code" export), and the survey
# structure as LimeSurvey exports it (Tab Separated Values format (*.txt), UTF-8 with a BOM):
# one row per group, question, subquestion and answer; Don't know (A6) is an answer option.
random.seed(1505)
cols = ["id", "submitdate", "lastpage", "startlanguage", "seed"] + [f"trust[SQ00{i}]" for i in range(1, 9)] \
    + [f"agree[SQ00{j}]" for j in range(1, 5)] + ["services[SQ001]", "services[SQ002]", "comments", "gender", "interviewtime"]
s = io.StringIO(); w = csv.writer(s, quoting=csv.QUOTE_ALL, lineterminator="\n")
w.writerow(cols)
for r in range(22):
    level = random.randint(0, 4)
    trust = ["A%d" % (min(4, max(0, level + random.choice([-1, 0, 0, 1]))) + 1) for _ in range(8)]
    if r % 6 == 2: trust[r % 8] = "A6"
    if r % 7 == 5: trust[(r + 3) % 8] = ""
    latent = random.randint(0, 4)
    agree = ["AO0%d" % (min(4, max(0, latent + random.choice([-1, 0, 1]))) + 1) for _ in range(4)]
    if r % 5 == 1: agree[r % 4] = ""
    w.writerow([str(r + 1), "2024-07-%02d 10:%02d:00" % (r % 28 + 1, r), "4", "en", str(184729301 + r * 7919)] + trust + agree
               + [random.choice(["Y", ""]), random.choice(["Y", ""]), "" if r % 3 else "Comment number %d about the clinic" % r,
                  random.choice(["F", "M", "F", "M", ""]), "%.2f" % (200 + r * 13.5)])
open(F + "limesurvey_mixed.csv", "w", newline="").write(s.getvalue())

head = ["id", "related_id", "class", "type/scale", "name", "relevance", "text", "help", "language", "validation", "mandatory", "other", "default", "same_default"]
rows = [["", "", "S", "", "sid", "", "465321", "", "", "", "", "", "", ""],
        ["", "", "SL", "", "surveyls_title", "", "Village services", "", "en", "", "", "", "", ""],
        ["1", "", "G", "", "Trust and services", "1", "", "", "en", "", "", "", "", ""],
        ["1", "", "Q", "F", "trust", "1", "<p>How much do you trust the following?</p>", "", "en", "", "N", "N", "", ""]]
for i, who in enumerate(["the village chief", "the commune council", "the police", "the courts", "the health centre", "the school", "the NGOs", "the media"], 1):
    rows.append(["", "", "SQ", "0", f"SQ00{i}", "1", who, "", "en", "", "", "", "", ""])
for i, label in enumerate(["Very Low", "Low", "Medium", "High", "Very High", "Don't know"], 1):
    rows.append(["1", "", "A", "0", f"A{i}", str(i), label, "", "en", "", "", "", "", ""])
rows.append(["2", "", "Q", "F", "agree", "1", "How much do you agree with the following statements?", "", "en", "", "N", "N", "", ""])
for j, statement in enumerate(["The roads are safe", "The water is clean", "Officials listen to us", "I feel safe at night"], 1):
    rows.append(["", "", "SQ", "0", f"SQ00{j}", "1", statement, "", "en", "", "", "", "", ""])
for j, label in enumerate(["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"], 1):
    rows.append(["2", "", "A", "0", f"AO0{j}", "", label, "", "en", "", "", "", "", ""])
rows.append(["3", "", "Q", "M", "services", "1", "Which services did you use?", "", "en", "", "N", "N", "", ""])
rows += [["", "", "SQ", "0", "SQ001", "1", "Water", "", "en", "", "", "", "", ""], ["", "", "SQ", "0", "SQ002", "1", "Roads", "", "en", "", "", "", "", ""]]
rows.append(["4", "", "Q", "T", "comments", "1", "Anything else?", "", "en", "", "N", "N", "", ""])
rows.append(["5", "", "Q", "G", "gender", "1", "What is your gender?", "", "en", "", "N", "N", "", ""])
open(F + "limesurvey_mixed_structure.txt", "w", encoding="utf-8-sig", newline="").write("\n".join("\t".join(r) for r in [head] + rows) + "\n")

# The Qualtrics questionnaire's answers as Google Forms, SurveyMonkey and KoboToolbox export them.
trust_q = "How much do you trust the following?"
agree_q = "How much do you agree with the following statements?"
def services_of(ms): return [x for x in ["Water", "Roads", "Health"] if x in ms.split(",")]
s = io.StringIO(); w = csv.writer(s, lineterminator="\r\n")
w.writerow(["Timestamp"] + [f"{trust_q} [{x}]" for x in inst] + [f"{agree_q} [{x}]" for x in stm]
           + ["Which services did you use?", "Anything else you would like to tell us?", "What is your gender?"])
for r, (d, a, ms, ft, g) in enumerate(data):
    w.writerow(["2024/05/%02d 9:%02d:00 AM GMT+7" % (r % 28 + 1, r)] + d + a + [", ".join(services_of(ms)), ft, g])
open(F + "google_forms_mixed.csv", "w", newline="").write(s.getvalue())

s = io.StringIO(); w = csv.writer(s, lineterminator="\r\n")
meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1"]
w.writerow(meta + [trust_q] + [""] * 7 + [agree_q] + [""] * 3 + ["Which services did you use?", "", "", "Anything else you would like to tell us?", "What is your gender?"])
w.writerow([""] * len(meta) + inst + stm + ["Water", "Roads", "Health", "Open-Ended Response", "Response"])
for r, (d, a, ms, ft, g) in enumerate(data):
    chosen = services_of(ms)
    w.writerow([str(11400000000 + r), "431000001", "05/01/2024 09:00:00 AM", "05/01/2024 09:07:00 AM", "198.51.100.%d" % r, "", "", "", ""]
               + d + a + [x if x in chosen else "" for x in ["Water", "Roads", "Health"]] + [ft, g])
open(F + "surveymonkey_mixed.csv", "w", newline="").write(s.getvalue())

def xml(label): return label.lower().replace(" ", "_").replace("'", "")
names_t = ["chief", "council", "police", "courts", "health", "school", "ngos", "media"]
names_a = ["roads", "water", "officials", "safety"]
s = io.StringIO(); w = csv.writer(s, delimiter=";", lineterminator="\n")
w.writerow(["start", "end"] + [f"trust/{x}" for x in names_t] + [f"village/{x}" for x in names_a]
           + ["services", "services/water", "services/roads", "services/health", "comments", "gender", "_id", "_uuid", "_submission_time", "_index"])
for r, (d, a, ms, ft, g) in enumerate(data):
    chosen = services_of(ms)
    w.writerow(["2024-05-01T09:00:00.000+07:00", "2024-05-01T09:08:00.000+07:00"] + [xml(x) for x in d] + [xml(x) for x in a]
               + [" ".join(x.lower() for x in chosen)] + ["1" if x in chosen else "0" for x in ["Water", "Roads", "Health"]]
               + [ft, xml(g), str(5000 + r), "b7c1%04d-aaaa-4bbb-8ccc-%012d" % (r, r), "2024-05-01T02:08:30", str(r + 1)])
open(F + "kobo_mixed.csv", "w", newline="").write(s.getvalue())
